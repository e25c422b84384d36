import { dependencyDepth } from './dependencies.ts';
import type { PlanningInput } from './planner.ts';
import type { ActionPlanContent } from './schema.ts';

/** The date corrections of the validation fixes (validation-rules.ts): due dates and timeline steps. */

/**
 * Moves each CSM task due before a CSM task it waits for to that task's due date (in dependency order, so a chain
 * moves along); AI tasks have no due date (they are due when they can run). Returns the fixes in words.
 */
export function dueAfterPrerequisites(plan: ActionPlanContent): string[] {
  const fixes: string[] = [];
  const depth = dependencyDepth(plan);
  const csm = new Map(plan.csmTasks.map((t) => [t.key, t]));
  for (const t of [...plan.csmTasks].sort((a, b) => depth.get(a.key)! - depth.get(b.key)!)) {
    const latest = t.dependsOn
      .map((k) => csm.get(k))
      .reduce<typeof t | undefined>((m, p) => (p && (!m || p.dueDate > m.dueDate) ? p : m), undefined);
    if (!latest || latest.dueDate <= t.dueDate) continue;
    fixes.push(`${t.action}: due date moved from ${t.dueDate} to ${latest.dueDate} (it waits for "${latest.action}", due then)`);
    t.dueDate = latest.dueDate;
  }
  return fixes;
}

/** A timeline step dated before a step it waits for (one of its tasks waits for one of theirs) moves to that date. */
export function timelineAfterPrerequisites(plan: ActionPlanContent): string[] {
  const fixes: string[] = [];
  const depth = dependencyDepth(plan);
  const deps = new Map([...plan.aiTasks, ...plan.csmTasks].map((t) => [t.key, t.dependsOn]));
  const stepDepth = (s: (typeof plan.timeline)[number]) => Math.max(0, ...s.taskKeys.map((k) => depth.get(k) ?? 0));
  for (const step of [...plan.timeline].sort((a, b) => stepDepth(a) - stepDepth(b))) {
    const waitsFor = new Set(step.taskKeys.flatMap((k) => deps.get(k) ?? []));
    const before = plan.timeline.filter((s) => s !== step && s.taskKeys.some((k) => waitsFor.has(k)));
    const latest = before.reduce<string | undefined>((m, s) => (!m || s.date > m ? s.date : m), undefined);
    if (!latest || latest <= step.date) continue;
    fixes.push(`Timeline "${step.title}": date moved from ${step.date} to ${latest} (after the steps it waits for)`);
    step.date = latest;
  }
  return fixes;
}

export function clampDate(date: string, window: { start: string; end: string }, calendar: PlanningInput['calendar']): string {
  if (date < window.start) return window.start;
  if (date > window.end) return window.end;
  return calendar.isBusinessDay(date) ? date : calendar.onOrAfter(date) > window.end ? calendar.onOrBefore(date) : calendar.onOrAfter(date);
}

export function reason(date: string, window: { start: string; end: string }, calendar: PlanningInput['calendar']): string {
  if (date < window.start) return 'it was in the past';
  if (date > window.end) return `it fell after the stage ends on ${window.end}`;
  return calendar.isHoliday(date) ? 'it fell on a holiday' : 'it fell on a weekend';
}
