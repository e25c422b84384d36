import { addBusinessDays, differenceInBusinessDays, isWeekend } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from './business-days.ts';
import { addDays } from './dates.ts';

// date-fns, the peer library, works in local time: dates are built and read in local time on its side.
const local = (iso: string) => new Date(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const isoDate = fc.integer({ min: 0, max: 365 * 30 }).map((n) => addDays('2010-01-01', n));

describe('business-day calendar against date-fns on random dates', () => {
  const weekdays = new BusinessCalendar(); // no holiday country: Monday to Friday, as date-fns counts
  const us = new BusinessCalendar('US');

  it('agrees on which days are weekends', () => {
    fc.assert(fc.property(isoDate, (d) => weekdays.isBusinessDay(d) === !isWeekend(local(d))));
  });

  it('agrees on adding business days, forwards and backwards, from business days', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -60, max: 60 }), (d, n) => {
        const start = weekdays.onOrAfter(d);
        expect(weekdays.add(start, n)).toBe(iso(addBusinessDays(local(start), n)));
      }),
    );
  });

  it('agrees on the business days between two dates', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -90, max: 90 }), (d, n) => {
        const a = weekdays.onOrAfter(d);
        const b = weekdays.onOrAfter(addDays(a, n));
        expect(weekdays.businessDaysBetween(a, b)).toBe(differenceInBusinessDays(local(b), local(a)));
      }),
    );
  });

  it('with US holidays: lands on a business day, and counts date-fns weekdays minus the holidays skipped', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 1, max: 40 }), (d, n) => {
        const start = us.onOrAfter(d);
        const end = us.add(start, n);
        expect(us.isBusinessDay(end)).toBe(true);
        let holidays = 0;
        for (let x = addDays(start, 1); x <= end; x = addDays(x, 1)) if (!isWeekend(local(x)) && us.isHoliday(x)) holidays++;
        expect(differenceInBusinessDays(local(end), local(start)) - holidays).toBe(n);
      }),
    );
  });
});
