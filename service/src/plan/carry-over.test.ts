import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../calendar/business-days.ts';
import { carryOver, type PreviousTask } from './carry-over.ts';
import { planningInput } from './discovery.fixture.ts';
import { playbookPlan } from './playbook.ts';
import type { ActionPlanContent } from './schema.ts';

const calendar = new BusinessCalendar('US');

/** The rows of a finalized version, as finalize wrote them (all open). */
const rowsOf = (plan: ActionPlanContent): PreviousTask[] =>
  [
    ...plan.aiTasks.map((t) => ({ ...t, owner: 'AI' as const, dueDate: null })),
    ...plan.csmTasks.map((t) => ({ ...t, owner: 'CSM' as const })),
  ].map((t, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    key: t.key,
    parentId: null,
    owner: t.owner,
    action: t.action,
    description: t.description,
    priority: t.priority,
    dueDate: t.dueDate,
    status: 'pending',
    executionStatus: t.owner === 'AI' ? 'queued' : null,
  }));

describe('carrying a finalized version into a re-plan', () => {
  it('keeps what a carried task waited for, under the new keys, when the new version forgot it', () => {
    const previous = playbookPlan(planningInput());
    const reminder = previous.aiTasks.find((t) => t.dependsOn.length)!;
    const cfo = previous.csmTasks.find((t) => t.key === reminder.dependsOn[0])!;
    // The new version renumbers the CSM tasks and drops the dependency.
    const next = structuredClone(previous);
    next.csmTasks.reverse().forEach((t, i) => (t.key = `csm-${i + 11}`));
    for (const t of next.aiTasks) t.dependsOn = [];
    const { content } = carryOver({ version: 1, content: previous, edits: null }, rowsOf(previous), next, 0, calendar);
    const newCfoKey = content.csmTasks.find((t) => t.action === cfo.action)!.key;
    expect(content.aiTasks.find((t) => t.action === reminder.action)!.dependsOn).toEqual([newCfoKey]);
  });

  it("leaves out a kept dependency that would close a cycle with the new version's own", () => {
    const previous = playbookPlan(planningInput());
    const reminder = previous.aiTasks.find((t) => t.dependsOn.length)!;
    const next = structuredClone(previous);
    // The new version turns it around: the CFO task waits for the reminder.
    next.aiTasks.find((t) => t.key === reminder.key)!.dependsOn = [];
    next.csmTasks.find((t) => t.key === reminder.dependsOn[0])!.dependsOn = [reminder.key];
    const { content } = carryOver({ version: 1, content: previous, edits: null }, rowsOf(previous), next, 0, calendar);
    expect(content.aiTasks.find((t) => t.key === reminder.key)!.dependsOn).toEqual([]);
    expect(content.csmTasks.find((t) => t.key === reminder.dependsOn[0])!.dependsOn).toEqual([reminder.key]);
  });
});
