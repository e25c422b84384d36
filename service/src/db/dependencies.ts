import { markForRemirror } from './remirror.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { AI_TASKS_QUEUED } from './task-queue-state.ts';

/**
 * Task dependencies: a task waits for its prerequisites (`task_dependencies`), tasks of one plan. A prerequisite is
 * finished when it is completed, or cancelled (the CSM or a re-plan decided it will not happen: nothing waits for it
 * for ever). Every reader — the executor's claim, a CSM's completion, the plan view — asks the same question through
 * `waitsForUnfinished`.
 */
type AnySql = Sql | TransactionSql;

/** Statuses of a prerequisite that no longer hold its dependents back. */
const FINISHED = ['completed', 'cancelled'] as const;

/**
 * `EXISTS` (an unfinished prerequisite of the task whose id is `taskId`), a fragment for a WHERE clause: the claim
 * writes `NOT ${waitsForUnfinished(sql, sql`workflow_tasks.id`)}` inside its one statement.
 */
export const waitsForUnfinished = (sql: AnySql, taskId: ReturnType<AnySql>) => sql`EXISTS (
  SELECT 1 FROM task_dependencies d JOIN workflow_tasks p ON p.id = d.prerequisite_id
   WHERE d.task_id = ${taskId} AND p.status NOT IN ${sql(FINISHED)})`;

/** One dependency as finalize writes it, by plan task key. */
interface DependencyByKey {
  key: string;
  dependsOn: string[];
}

/**
 * Replaces the dependencies of a plan's tasks with the plan's own (inside finalize's transaction, after its tasks were
 * inserted or re-pointed): keys resolve to the plan's top-level tasks, so a carried task keeps its row and its
 * Salesforce Task while its dependencies follow the new version.
 */
export async function writePlanDependencies(tx: TransactionSql, planId: string, tasks: DependencyByKey[]): Promise<number> {
  await tx`DELETE FROM task_dependencies WHERE task_id IN (SELECT id FROM workflow_tasks WHERE action_plan_id = ${planId})`;
  const pairs = tasks.flatMap((t) => t.dependsOn.map((p) => ({ key: t.key, prerequisite: p })));
  if (pairs.length === 0) return 0;
  const rows = await tx`
    INSERT INTO task_dependencies (task_id, prerequisite_id)
    SELECT t.id, p.id
      FROM unnest(${pairs.map((x) => x.key)}::text[], ${pairs.map((x) => x.prerequisite)}::text[]) AS i(key, prerequisite)
      JOIN workflow_tasks t ON t.action_plan_id = ${planId} AND t.parent_task_id IS NULL AND t.plan_task_key = i.key
      JOIN workflow_tasks p ON p.action_plan_id = ${planId} AND p.parent_task_id IS NULL AND p.plan_task_key = i.prerequisite
    ON CONFLICT DO NOTHING
    RETURNING task_id`;
  return rows.length;
}

/** An unfinished prerequisite, as a blocked task names it. */
export interface Blocker {
  taskId: string;
  prerequisiteId: string;
  key: string;
  action: string;
  owner: 'AI' | 'CSM' | 'Customer';
  status: string;
}

/**
 * The prerequisites of these tasks in key order, `status` saying whether each is finished; `unfinishedOnly`: the ones
 * that still block (a sub-task waits for what its parent waits for: pass the parent's id). One query for a whole plan.
 */
export async function prerequisitesOf(sql: AnySql, taskIds: string[], opts: { unfinishedOnly?: boolean } = {}): Promise<Blocker[]> {
  if (taskIds.length === 0) return [];
  return sql<Blocker[]>`
    SELECT d.task_id AS "taskId", p.id AS "prerequisiteId", p.plan_task_key AS key, p.action, p.owner, p.status
      FROM task_dependencies d JOIN workflow_tasks p ON p.id = d.prerequisite_id
     WHERE d.task_id IN ${sql(taskIds)} ${opts.unfinishedOnly ? sql`AND p.status NOT IN ${sql(FINISHED)}` : sql``}
     ORDER BY d.task_id, p.plan_task_key`;
}

/** The unfinished prerequisites of these tasks: what blocks them. */
export const blockersOf = (sql: AnySql, taskIds: string[]) => prerequisitesOf(sql, taskIds, { unfinishedOnly: true });

/** Whether a prerequisite in this status still holds its dependents back. */
export const unfinished = (status: string) => !(FINISHED as readonly string[]).includes(status);

/**
 * The one thing every completion path does after a task finished (the executor's success, a CSM's PATCH, a Task
 * closed in Salesforce, a cancel): every unfinished dependent is marked for re-mirroring (its Salesforce Task's
 * "Waits for" names this prerequisite's new status; once none is unfinished it goes from "Waiting on someone else" to
 * "Not Started"), and an unblocked queued AI task wakes the executors (NOTIFY, delivered at commit: its queue row did
 * not change, so the queue's own trigger does not fire). Returns the ids now unblocked (to mirror them at once). Call it after the completion is written, in
 * the same transaction.
 *
 * Isolation: the decision "is the dependent still blocked" reads other rows (its other prerequisites). Under READ
 * COMMITTED two transactions finishing a dependent's two prerequisites at once would each see the other's as
 * unfinished (write skew) and neither would unblock it. So the dependents are locked first (`FOR UPDATE`, in id order,
 * so two such transactions cannot deadlock on them) and their prerequisites read after the lock: the second
 * transaction waits for the first to commit, and its next statement's snapshot sees the first's completion. The mark
 * (markForRemirror) is written by both, the later one last.
 */
export async function unblockDependents(sql: AnySql, finishedTaskIds: string[]): Promise<string[]> {
  if (finishedTaskIds.length === 0) return [];
  const dependents = await sql<{ id: string }[]>`
    SELECT id FROM workflow_tasks
     WHERE id IN (SELECT task_id FROM task_dependencies WHERE prerequisite_id IN ${sql(finishedTaskIds)})
       AND status NOT IN ${sql(FINISHED)}
     ORDER BY id FOR UPDATE`;
  if (dependents.length === 0) return [];
  const rows = await sql<{ id: string; blocked: boolean; queuedAi: boolean }[]>`
    UPDATE workflow_tasks t SET ${markForRemirror(sql)}
     WHERE t.id IN ${sql(dependents.map((d) => d.id))} AND t.status NOT IN ${sql(FINISHED)}
    RETURNING t.id, ${waitsForUnfinished(sql, sql`t.id`)} AS blocked, t.auto_execute AND t.execution_status = 'queued' AS "queuedAi"`;
  const unblocked = rows.filter((r) => !r.blocked);
  if (unblocked.some((r) => r.queuedAi)) await sql`SELECT pg_notify(${AI_TASKS_QUEUED}, '')`;
  return unblocked.map((r) => r.id);
}
