import { kind, notificationsFrom } from './notifications.ts';
import type { Sql } from './sql.ts';
import { taskColumns, type TaskRow } from './tasks.ts';
import { redactSecrets } from '../secrets.ts';

/**
 * The Salesforce mirror's queue: tasks whose current state has not reached Salesforce yet (`mirror_status`
 * pending), when each is due again, and which have waited too long. The durations (backoff, age) are measured on
 * the database's clock, like the AI task queue's, so every instance agrees.
 */

/** How the mirror backs off after a retryable failure: base × 2^(attempts), ±20%, at most `maxMs`. */
export interface MirrorBackoff {
  baseMs: number;
  maxMs: number;
}
export const DEFAULT_MIRROR_BACKOFF: MirrorBackoff = { baseMs: 30_000, maxMs: 3_600_000 };

/**
 * Top-level tasks due to be mirrored (never tried, or their backoff passed), oldest first. Tasks named by id (a
 * CSM's edit, mirrored at once) are taken whatever their backoff.
 */
export async function tasksToMirror(sql: Sql, opts: { planId?: string; taskIds?: string[]; limit?: number }): Promise<TaskRow[]> {
  return sql<TaskRow[]>`
    SELECT ${taskColumns(sql)} FROM workflow_tasks
     WHERE mirror_status = 'pending' AND parent_task_id IS NULL
       ${opts.taskIds ? sql`` : sql`AND (mirror_retry_at IS NULL OR mirror_retry_at <= now())`}
       ${opts.planId ? sql`AND action_plan_id = ${opts.planId}` : sql``}
       ${opts.taskIds ? sql`AND id IN ${sql(opts.taskIds)}` : sql``}
     ORDER BY created_at, id LIMIT ${opts.limit ?? 1000}`;
}

export interface MirrorResult {
  taskId: string;
  salesforceTaskId?: string;
  error?: { message: string; permanent: boolean; retryAfterMs?: number };
  /** updated_at of the row when it was read: a change made since then keeps the task pending. */
  readAt: Date;
}

/**
 * Records the outcome of a mirror run; a task changed meanwhile stays pending so the next run carries the change. A
 * retryable failure stays pending and is due again after the backoff (or Salesforce's Retry-After, if longer);
 * there is no last attempt: only a permanent error (Salesforce rejected the record) ends in `failed`.
 */
export async function recordMirrorResults(
  sql: Sql,
  results: MirrorResult[],
  backoff: MirrorBackoff = DEFAULT_MIRROR_BACKOFF,
): Promise<void> {
  for (const r of results) {
    if (r.salesforceTaskId) {
      await sql`
        UPDATE workflow_tasks SET salesforce_task_id = ${r.salesforceTaskId}, mirror_error = NULL, mirrored_at = now(),
          mirror_attempts = 0, mirror_status = CASE WHEN date_trunc('milliseconds', updated_at) > ${r.readAt} THEN 'pending' ELSE 'synced' END
        WHERE id = ${r.taskId}`;
    } else if (r.error?.permanent) {
      await sql`
        UPDATE workflow_tasks SET mirror_error = ${redactSecrets(r.error.message)}, mirror_attempts = mirror_attempts + 1, mirror_status = 'failed'
        WHERE id = ${r.taskId}`;
    } else if (r.error) {
      // mirror_attempts on the right-hand side is the count before this failure.
      const delayMs = sql`greatest(${r.error.retryAfterMs ?? 0}::float8,
        least(${backoff.maxMs}::float8, ${backoff.baseMs}::float8 * power(2, least(mirror_attempts, 30)) * (0.8 + random() * 0.4)))`;
      await sql`
        UPDATE workflow_tasks SET mirror_error = ${redactSecrets(r.error.message)}, mirror_attempts = mirror_attempts + 1,
          mirror_retry_at = now() + ${delayMs} * interval '1 millisecond'
        WHERE id = ${r.taskId} AND mirror_status = 'pending'`;
    }
  }
}

export interface WaitingMirror {
  id: string;
  action: string;
  opportunityId: string;
  assigneeUserId: string | null;
  mirrorStatus: 'pending' | 'failed';
  attempts: number;
  waitingSeconds: number | null;
  retryAt: Date | null;
  lastError: string | null;
}

const waitingColumns = (sql: Sql) => sql`
  id, action, opportunity_id AS "opportunityId", assignee_user_id AS "assigneeUserId", mirror_status AS "mirrorStatus",
  mirror_attempts AS attempts, extract(epoch FROM now() - mirror_pending_since)::float8 AS "waitingSeconds",
  mirror_retry_at AS "retryAt", mirror_error AS "lastError"`;

/** Tasks not (yet) in Salesforce: pending ones longest-waiting first, then those Salesforce rejected (the operator's view). */
export async function waitingMirrors(sql: Sql, limit: number): Promise<WaitingMirror[]> {
  return sql<WaitingMirror[]>`
    SELECT ${waitingColumns(sql)} FROM workflow_tasks
     WHERE mirror_status IN ('pending', 'failed') AND parent_task_id IS NULL
     ORDER BY mirror_status DESC, mirror_pending_since NULLS LAST, updated_at LIMIT ${limit}`;
}

/**
 * Reports tasks pending for longer than `afterMs`, once per wait: a notification to the task's owner (deduplicated on
 * the task and the start of its wait, across runs and instances). Returns the tasks reported by this call.
 */
export async function reportStuckMirrors(sql: Sql, afterMs: number): Promise<WaitingMirror[]> {
  return sql<WaitingMirror[]>`
    WITH stuck AS (
      SELECT ${waitingColumns(sql)}, action_plan_id, mirror_pending_since FROM workflow_tasks
       WHERE mirror_status = 'pending' AND parent_task_id IS NULL
         AND mirror_pending_since < now() - ${afterMs} * interval '1 millisecond'),
    noted AS (${notificationsFrom(
      sql,
      sql`SELECT "assigneeUserId", "opportunityId", id, action_plan_id, ${kind('mirror-stuck')}::text,
             left('"' || action || '" is not in Salesforce yet', 200),
             'This task has been waiting ' || round("waitingSeconds" / 60) || ' minutes to be copied to Salesforce; it is retried '
               || 'automatically. Last error: ' || coalesce(left("lastError", 500), 'none yet'),
             'mirror-stuck:' || id || ':' || extract(epoch FROM mirror_pending_since)::text
        FROM stuck WHERE "assigneeUserId" IS NOT NULL`,
    )} RETURNING task_id)
    SELECT id, action, "opportunityId", "assigneeUserId", "mirrorStatus", attempts, "waitingSeconds", "retryAt", "lastError"
      FROM stuck WHERE id IN (SELECT task_id FROM noted)`;
}

/** Seconds the longest-waiting pending mirror has waited (0 when none waits). */
export async function oldestPendingMirrorSeconds(sql: Sql): Promise<{ seconds: number; pending: number }> {
  const [row] = await sql<{ seconds: number | null; pending: number }[]>`
    SELECT extract(epoch FROM now() - min(mirror_pending_since))::float8 AS seconds, count(*)::int AS pending
      FROM workflow_tasks WHERE mirror_status = 'pending' AND parent_task_id IS NULL`;
  return { seconds: Math.max(0, row?.seconds ?? 0), pending: row?.pending ?? 0 };
}

/** Operator retry: a pending or failed mirror is due at the next sync run, its backoff reset. */
export async function retryMirror(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`
    UPDATE workflow_tasks SET mirror_status = 'pending', mirror_retry_at = NULL, mirror_attempts = 0
     WHERE id = ${id} AND parent_task_id IS NULL AND mirror_status IN ('pending', 'failed')
    RETURNING id`;
  return rows.length === 1;
}
