import type { BusinessCalendar } from '../calendar/business-days.ts';
import type { IsoDate } from '../calendar/dates.ts';
import type { ActionPlanContent, AiTask, CsmTask } from './schema.ts';

export type Task = (AiTask & { owner: 'AI' }) | (CsmTask & { owner: 'CSM' });
interface TaskRef {
  key: string;
  owner: 'AI' | 'CSM';
  action: string;
}
interface TaskChange extends TaskRef {
  previousKey: string;
  fields: { field: string; from: unknown; to: unknown }[];
}
/** What a new plan version changes against the version it replaces, as the CSM reviews it. */
export interface PlanDiff {
  previousVersion: number;
  added: TaskRef[];
  removed: TaskRef[];
  changed: TaskChange[];
  unchanged: number;
  /** Set when the renewal date moved between the versions: open tasks were re-dated by this many business days. */
  renewalDateMoved: { from: IsoDate; to: IsoDate; businessDays: number } | null;
}

const COMPARED = [
  'action',
  'description',
  'priority',
  'processor',
  'metadata',
  'executeImmediately',
  'complexity',
  'dueDate',
  'contactId',
  'subTasks',
] as const;
/** JSON with sorted keys: a version read back from jsonb has its object keys in another order. */
export const canonical = (v: unknown): string =>
  JSON.stringify(v ?? null, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
export const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
export const tasksOf = (p: ActionPlanContent): Task[] => [
  ...p.aiTasks.map((t) => ({ ...t, owner: 'AI' as const })),
  ...p.csmTasks.map((t) => ({ ...t, owner: 'CSM' as const })),
];

/**
 * Pairs the tasks of two versions and lists what was added, removed and changed. A model numbers its keys afresh
 * each time, so tasks pair first by the same action (same owner), then by the same key; the rest are added/removed.
 */
export function diffPlans(
  previous: ActionPlanContent,
  next: ActionPlanContent,
  edits: CsmEdit[] | null = null,
): Omit<PlanDiff, 'previousVersion' | 'renewalDateMoved'> {
  const pairs = pairTasks(tasksOf(previous), tasksOf(next), plannedActions(edits));
  const changed: TaskChange[] = [];
  let unchanged = 0;
  // What a task waits for, by the prerequisites' actions: keys are renumbered between versions, actions are not.
  const waitsFor = (plan: ActionPlanContent, t: Task) => {
    const action = new Map(tasksOf(plan).map((x) => [x.key, x.action]));
    return (t.dependsOn ?? []).map((k) => action.get(k) ?? k).sort();
  };
  for (const [before, after] of pairs.matched) {
    const fields: TaskChange['fields'] = COMPARED.filter(
      (f) => canonical((before as Record<string, unknown>)[f]) !== canonical((after as Record<string, unknown>)[f]),
    ).map((f) => ({
      field: f,
      from: (before as Record<string, unknown>)[f] ?? null,
      to: (after as Record<string, unknown>)[f] ?? null,
    }));
    const [from, to] = [waitsFor(previous, before), waitsFor(next, after)];
    if (canonical(from) !== canonical(to)) fields.push({ field: 'dependsOn', from, to });
    if ((before.assigneeRole ?? null) !== (after.assigneeRole ?? null))
      fields.push({ field: 'assigneeRole', from: before.assigneeRole ?? null, to: after.assigneeRole ?? null });
    if (fields.length) changed.push({ key: after.key, previousKey: before.key, owner: after.owner, action: after.action, fields });
    else unchanged++;
  }
  const ref = (t: Task): TaskRef => ({ key: t.key, owner: t.owner, action: t.action });
  return { added: pairs.added.map(ref), removed: pairs.removed.map(ref), changed, unchanged };
}

export function pairTasks<T extends { owner: string; key: string; action: string }>(
  before: T[],
  after: T[],
  aliases: Map<string, string> = new Map(),
) {
  type Task = T;
  const sameAction = (b: Task, a: Task) =>
    norm(b.action) === norm(a.action) || (aliases.has(b.key) && norm(aliases.get(b.key)!) === norm(a.action));
  const left = new Set(before);
  const matched: [Task, Task][] = [];
  const added: Task[] = [];
  const take = (pred: (b: Task) => boolean) => {
    const hit = [...left].find(pred);
    if (hit) left.delete(hit);
    return hit;
  };
  const unpaired: Task[] = [];
  for (const a of after) {
    const b = take((b) => b.owner === a.owner && sameAction(b, a));
    if (b) matched.push([b, a]);
    else unpaired.push(a);
  }
  for (const a of unpaired) {
    const b = take((b) => b.owner === a.owner && b.key === a.key);
    if (b) matched.push([b, a]);
    else added.push(a);
  }
  return { matched, added, removed: [...left] };
}

/**
 * When the renewal date moved, the CSM tasks the new version keeps from the previous one keep their place in the
 * schedule: their previous due date shifted by the business days the renewal moved (validation then keeps them in
 * the stage window). New tasks keep the planner's dates.
 */
export function redateKeptTasks(
  previous: ActionPlanContent,
  next: ActionPlanContent,
  shift: number,
  calendar: BusinessCalendar,
): ActionPlanContent {
  if (shift === 0) return next;
  const out = structuredClone(next);
  const before = previous.csmTasks;
  for (const t of out.csmTasks) {
    const prev = before.find((b) => norm(b.action) === norm(t.action)) ?? before.find((b) => b.key === t.key);
    if (prev) t.dueDate = calendar.add(calendar.onOrAfter(prev.dueDate), shift);
  }
  return out;
}

export interface CsmEdit {
  key: string;
  action?: string;
  /** The planner's action of a task the CSM retitled at finalize, so the next version still pairs with it. */
  plannedAction?: string;
  description?: string;
  priority?: number;
  dueDate?: string;
}

/** Per task key, the planner's action of the tasks the CSM retitled: a new version proposing it again pairs with them. */
export const plannedActions = (edits: CsmEdit[] | null) =>
  new Map((edits ?? []).filter((e) => e.plannedAction).map((e) => [e.key, e.plannedAction!]));
