import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../calendar/business-days.ts';
import { planningInput } from './discovery.fixture.ts';
import { diffPlans, redateKeptTasks } from './diff.ts';
import { playbookPlan } from './playbook.ts';

const calendar = new BusinessCalendar('US');

describe('plan diff', () => {
  it('pairs tasks by action even when the keys were renumbered, and lists changed fields', () => {
    const before = playbookPlan(planningInput());
    const after = structuredClone(before);
    after.csmTasks.reverse().forEach((t, i) => (t.key = `csm-${i + 1}`));
    after.csmTasks[0]!.priority = 5;
    const d = diffPlans(before, after);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]!.fields).toEqual([{ field: 'priority', from: before.csmTasks.at(-1)!.priority, to: 5 }]);
  });

  it('ignores key order inside metadata (jsonb reorders keys)', () => {
    const before = playbookPlan(planningInput());
    const after = structuredClone(before);
    after.aiTasks[0]!.metadata = Object.fromEntries(Object.entries(after.aiTasks[0]!.metadata).reverse());
    expect(diffPlans(before, after).changed).toEqual([]);
  });

  it('counts business days across weekends and holidays, signed', () => {
    expect(calendar.businessDaysBetween('2026-11-25', '2026-11-30')).toBe(2); // Thanksgiving and a weekend
    expect(calendar.businessDaysBetween('2026-11-30', '2026-11-25')).toBe(-2);
    expect(calendar.businessDaysBetween('2026-12-07', '2026-12-07')).toBe(0);
  });

  it('re-dates kept CSM tasks by the shift and leaves new ones alone', () => {
    const before = playbookPlan(planningInput());
    const after = structuredClone(before);
    after.csmTasks.push({ ...after.csmTasks[0]!, key: 'csm-9', action: 'Something new', dueDate: '2026-12-15' });
    const moved = redateKeptTasks(before, after, 3, calendar);
    expect(moved.csmTasks[0]!.dueDate).toBe(calendar.add(before.csmTasks[0]!.dueDate, 3));
    expect(moved.csmTasks.at(-1)!.dueDate).toBe('2026-12-15');
  });
});
