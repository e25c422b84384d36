import type postgres from 'postgres';
import type { Sql, TransactionSql } from './sql.ts';

/**
 * What the rest of the service asks of the executor's queue table (`task_queue`, migration 0024). A queued or running
 * AI task has a row there; a row carrying a claim token is a task an executor is running. `workflow_tasks` keeps
 * `execution_status = 'queued'` until the run ends (the claim does not touch the wide row), so every reader that shows
 * or decides on "running" asks through these fragments.
 */
type AnySql = Sql | TransactionSql;
/** A SQL fragment to interpolate. */
export type Fragment = postgres.PendingQuery<postgres.Row[]>;

/** The channel executors LISTEN on; 0024's trigger on task_queue notifies it when a row becomes claimable and due. */
export const AI_TASKS_QUEUED = 'ai_tasks_queued';

/** `EXISTS` (an executor holds this task's claim), for a WHERE clause; `taskId` is an id expression. */
const heldByExecutor = (sql: AnySql, taskId: Fragment): Fragment =>
  sql`EXISTS (SELECT 1 FROM task_queue q WHERE q.task_id = ${taskId} AND q.claim_token IS NOT NULL)`;

/**
 * The execution status as readers see it, for the workflow_tasks row named `t`: a queued task whose claim an
 * executor holds is running. Only queued rows look at task_queue (one primary-key probe each).
 */
export const liveExecutionStatus = (sql: AnySql, t: Fragment): Fragment =>
  sql`CASE WHEN ${t}.execution_status = 'queued' AND ${heldByExecutor(sql, sql`${t}.id`)} THEN 'running' ELSE ${t}.execution_status END`;

/** AI tasks of the workflow_tasks row `t` in this live status: queued and running are both `queued` there. */
export function aiTasksIn(sql: AnySql, t: Fragment, status: string): Fragment {
  const held = heldByExecutor(sql, sql`${t}.id`);
  if (status === 'running') return sql`${t}.auto_execute AND ${t}.execution_status = 'queued' AND ${held}`;
  if (status === 'queued') return sql`${t}.auto_execute AND ${t}.execution_status = 'queued' AND NOT ${held}`;
  return sql`${t}.auto_execute AND ${t}.execution_status = ${status}`;
}

/** The attempts as readers see them: a queued or running task counts them in task_queue (copied back when it ends). */
export const liveAttempts = (sql: AnySql, t: Fragment): Fragment =>
  sql`CASE WHEN ${t}.execution_status = 'queued'
        THEN coalesce((SELECT q.attempts FROM task_queue q WHERE q.task_id = ${t}.id), ${t}.attempts) ELSE ${t}.attempts END`;

/**
 * Locks the queue rows of these tasks (`FOR UPDATE`, in id order) and says which an executor holds. A writer that
 * must not change a running task (a cancel, a retry) calls it first in its transaction: a claim in progress is waited
 * for and then seen (READ COMMITTED re-reads a locked row's newest version), and a claim that comes later skips the
 * locked row (`SKIP LOCKED`). The queue row before the task row is the executor's own lock order (the completion
 * deletes the queue row, then updates the task), so the two cannot deadlock.
 */
export async function lockQueueRows(sql: AnySql, taskIds: string[]): Promise<Set<string>> {
  if (taskIds.length === 0) return new Set();
  const rows = await sql<{ id: string; held: boolean }[]>`
    SELECT task_id AS id, claim_token IS NOT NULL AS held FROM task_queue WHERE task_id IN ${sql(taskIds)} ORDER BY task_id FOR UPDATE`;
  return new Set(rows.filter((r) => r.held).map((r) => r.id));
}
