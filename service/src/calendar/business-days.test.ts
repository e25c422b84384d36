import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from './business-days.ts';

describe('BusinessCalendar', () => {
  const us = new BusinessCalendar('US');
  const plain = new BusinessCalendar();

  it('skips weekends', () => {
    expect(plain.add('2026-11-27', 1)).toBe('2026-11-30'); // Friday + 1 = Monday
    expect(plain.add('2026-11-30', -1)).toBe('2026-11-27');
    expect(plain.onOrAfter('2026-11-28')).toBe('2026-11-30');
    expect(plain.onOrBefore('2026-11-29')).toBe('2026-11-27');
  });

  it('skips the configured public holidays', () => {
    expect(us.isHoliday('2026-11-26')).toBe(true); // Thanksgiving
    expect(us.add('2026-11-25', 1)).toBe('2026-11-27');
    expect(plain.add('2026-11-25', 1)).toBe('2026-11-26');
    expect(us.onOrAfter('2026-12-25')).toBe('2026-12-28');
  });

  it('counts five business days across a weekend and a holiday', () => {
    expect(us.add('2026-11-25', 5)).toBe('2026-12-03');
  });
});
