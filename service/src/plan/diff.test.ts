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
    const renumbered = new Map<string, string>();
    after.csmTasks.reverse().forEach((t, i) => {
      renumbered.set(t.key, `csm-${i + 1}`);
      t.key = `csm-${i + 1}`;
    });
    // A model renumbering its keys renumbers what its tasks wait for too: the same dependencies, other keys.
    for (const t of [...after.aiTasks, ...after.csmTasks]) t.dependsOn = t.dependsOn.map((k) => renumbered.get(k) ?? k);
    after.csmTasks[0]!.priority = 5;
    const d = diffPlans(before, after);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]!.fields).toEqual([{ field: 'priority', from: before.csmTasks.at(-1)!.priority, to: 5 }]);
  });

  it('lists a changed dependency by the actions waited for, and a changed team role', () => {
    const before = playbookPlan(planningInput());
    const after = structuredClone(before);
    const reminder = after.aiTasks.find((t) => t.dependsOn.length)!;
    const other = after.csmTasks.find((t) => !reminder.dependsOn.includes(t.key))!;
    const was = before.csmTasks.find((t) => t.key === reminder.dependsOn[0])!;
    reminder.dependsOn = [other.key];
    other.assigneeRole = 'Renewal Manager';
    const d = diffPlans(before, after);
    expect(d.changed.find((c) => c.key === reminder.key)!.fields).toEqual([{ field: 'dependsOn', from: [was.action], to: [other.action] }]);
    const role = before.csmTasks.find((t) => t.key === other.key)!.assigneeRole;
    expect(d.changed.find((c) => c.key === other.key)!.fields).toEqual([{ field: 'assigneeRole', from: role, to: 'Renewal Manager' }]);
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
