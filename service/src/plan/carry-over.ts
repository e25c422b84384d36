import type { BusinessCalendar } from '../calendar/business-days.ts';
import { dependencyCycles } from './dependencies.ts';
import { canonical, norm, pairTasks, plannedActions, tasksOf, type CsmEdit, type Task } from './diff.ts';
import type { ActionPlanContent, AiTask, CsmTask } from './schema.ts';

const EDITABLE = ['action', 'description', 'priority', 'dueDate'] as const;

/** A task of the finalized version as it stands now (its row), for carrying the CSM's work into a new version. */
export interface PreviousTask {
  id: string;
  key: string;
  parentId: string | null;
  owner: 'AI' | 'CSM' | 'Customer';
  action: string;
  description: string;
  priority: number;
  dueDate: string | null;
  status: 'pending' | 'in_progress' | 'completed' | 'snoozed' | 'cancelled';
  executionStatus: 'queued' | 'running' | 'success' | 'failed' | null;
}
/** What a task of a new version takes over from the finalized version: finalize re-points that row to the new plan. */
export interface CarriedTask {
  fromTaskId: string;
  fromKey: string;
  fromVersion: number;
  status: PreviousTask['status'];
  executionStatus: PreviousTask['executionStatus'];
  /** The row's due date when this version was generated (a later change by the CSM wins at finalize). */
  dueDate: string | null;
  /** Done (completed, or an AI task that ran or is running): kept as it is, never re-created or re-queued. */
  done: boolean;
  /** The fields the CSM changed (at finalize or since), whose values the new version keeps. */
  csmEdited: ('action' | 'description' | 'priority' | 'dueDate' | 'status')[];
  /** The planner's action when the CSM's action was kept (the next version may propose it again). */
  plannedAction?: string;
}

/**
 * Carries the CSM's work on a finalized version into a regenerated one. Tasks pair as in diffPlans (against the
 * tasks as they stand, so a CSM's retitle still pairs); a paired task that is done keeps its text, one the CSM
 * edited keeps the CSM's values, and when the renewal date moved by `shift` business days every open kept CSM task
 * keeps its place in the schedule (its current due date shifted). Returns the new content, the per-key carry
 * (sub-tasks included) and the previous version as it stands, for the diff.
 */
export function carryOver(
  previous: { version: number; content: ActionPlanContent; edits: CsmEdit[] | null },
  rows: PreviousTask[],
  next: ActionPlanContent,
  shift: number,
  calendar: BusinessCalendar,
): { content: ActionPlanContent; carried: Record<string, CarriedTask>; standing: ActionPlanContent } {
  const rowOf = new Map(rows.filter((r) => !r.parentId).map((r) => [r.key, r]));
  const standing = structuredClone(previous.content);
  for (const t of [...standing.aiTasks, ...standing.csmTasks]) {
    const row = rowOf.get(t.key);
    if (!row) continue;
    Object.assign(t, { action: row.action, description: row.description, priority: row.priority });
    if ('dueDate' in t && row.dueDate) t.dueDate = row.dueDate;
  }
  const original = new Map(tasksOf(previous.content).map((t) => [t.key, t]));
  const out = structuredClone(next);
  // The tasks themselves (tasksOf copies them), so the carry lands in `out`.
  const outTask = new Map<string, AiTask | CsmTask>([
    ...out.aiTasks.map((t) => [`AI:${t.key}`, t] as const),
    ...out.csmTasks.map((t) => [`CSM:${t.key}`, t] as const),
  ]);
  const carried: Record<string, CarriedTask> = {};
  const carry = (key: string, row: PreviousTask, done: boolean, csmEdited: CarriedTask['csmEdited']) =>
    (carried[key] = {
      fromTaskId: row.id,
      fromKey: row.key,
      fromVersion: previous.version,
      status: row.status,
      executionStatus: row.executionStatus,
      dueDate: row.dueDate,
      done,
      csmEdited,
    });

  const pairs = pairTasks(tasksOf(standing), tasksOf(next), plannedActions(previous.edits)).matched;
  keepDependencies(pairs, outTask);
  for (const [before, after] of pairs) {
    const row = rowOf.get(before.key);
    const task = outTask.get(`${after.owner}:${after.key}`);
    if (!row || !task) continue;
    // Paired only by key, a done task is another task now: it stays done where it is, the new one is new work.
    const done = row.status === 'completed' || row.executionStatus === 'success' || row.executionStatus === 'running';
    if (done && norm(before.action) !== norm(after.action)) continue;
    const was = original.get(before.key) as Record<string, unknown> | undefined;
    const edit = (previous.edits ?? []).find((e) => e.key === before.key) as Record<string, unknown> | undefined;
    const csmEdited: CarriedTask['csmEdited'] = EDITABLE.filter((f) => f !== 'dueDate' || before.owner === 'CSM').filter(
      (f) => edit?.[f] !== undefined || (was && canonical(was[f]) !== canonical((row as unknown as Record<string, unknown>)[f])),
    );
    if (row.status !== 'pending') csmEdited.push('status');
    carry(after.key, row, done, csmEdited);
    if (csmEdited.includes('action') && norm(after.action) !== norm(row.action)) carried[after.key]!.plannedAction = after.action;
    for (const f of done ? (['action', 'description', 'priority'] as const) : csmEdited.filter((f) => f !== 'dueDate' && f !== 'status'))
      (task as Record<string, unknown>)[f] = row[f as 'action'];
    if (after.owner !== 'CSM' || !('dueDate' in task)) continue;
    if (!done && row.dueDate && shift !== 0) task.dueDate = calendar.add(calendar.onOrAfter(row.dueDate), shift);
    else if (!done && row.dueDate && csmEdited.includes('dueDate')) task.dueDate = row.dueDate;
    // Sub-tasks follow their parent: paired by action, then by position.
    const subs = rows.filter((r) => r.parentId === row.id);
    const left = new Set(subs);
    const take = (pred: (r: PreviousTask) => boolean) => {
      const hit = [...left].find(pred);
      if (hit) left.delete(hit);
      return hit;
    };
    task.subTasks.forEach((s, i) => {
      const sub = take((r) => norm(r.action) === norm(s.action)) ?? take((r) => subs.indexOf(r) === i);
      if (!sub) return;
      const subDone = sub.status === 'completed';
      if (subDone) s.action = sub.action;
      carry(s.key, sub, subDone, sub.status === 'pending' ? [] : ['status']);
    });
  }
  return { content: out, carried, standing };
}

/**
 * A carried task keeps what it waited for in the version before, where that task is carried too (under its new key),
 * beside what the new version adds. A kept dependency that would close a cycle with the new version's own is left out:
 * the new version's order wins.
 */
function keepDependencies(pairs: [Task, Task][], outTask: Map<string, AiTask | CsmTask>): void {
  const newKey = new Map(pairs.map(([before, after]) => [before.key, after.key]));
  const plan = { aiTasks: [] as AiTask[], csmTasks: [] as CsmTask[] };
  for (const t of outTask.values()) ('processor' in t ? plan.aiTasks : plan.csmTasks).push(t as never);
  for (const [before, after] of pairs) {
    const task = outTask.get(`${after.owner}:${after.key}`);
    if (!task) continue;
    for (const old of before.dependsOn ?? []) {
      const key = newKey.get(old);
      if (!key || key === task.key || task.dependsOn.includes(key)) continue;
      task.dependsOn = [...task.dependsOn, key];
      if (dependencyCycles(plan).length) task.dependsOn = task.dependsOn.filter((k) => k !== key);
    }
  }
}

/**
 * The CSM's edits on a finalized version: those made at its finalize, and those it carried from the version before
 * (an edit is the CSM's however many versions ago it was made).
 */
export function csmEditsOf(
  finalizeEdits: unknown,
  carried: Record<string, CarriedTask> | null | undefined,
  rows: PreviousTask[],
): CsmEdit[] {
  const byKey = new Map<string, CsmEdit>();
  const rowOf = new Map(rows.map((r) => [r.key, r]));
  for (const [key, c] of Object.entries(carried ?? {})) {
    const row = rowOf.get(key);
    if (!row) continue;
    const edit: CsmEdit = { key, plannedAction: c.plannedAction };
    for (const f of c.csmEdited) if (f !== 'status' && row[f] !== null) (edit as unknown as Record<string, unknown>)[f] = row[f];
    byKey.set(key, edit);
  }
  for (const e of Array.isArray(finalizeEdits) ? (finalizeEdits as CsmEdit[]) : []) {
    const prior = byKey.get(e.key);
    byKey.set(e.key, { ...prior, ...e, plannedAction: prior?.plannedAction ?? e.plannedAction });
  }
  return [...byKey.values()];
}
