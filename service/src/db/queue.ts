import { redactSecrets } from '../secrets.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { taskColumns, type ExecutionStatus, type TaskRow } from './tasks.ts';
import { kind, notificationsFrom } from './notifications.ts';
import { markForRemirror } from './remirror.ts';
import { unblockDependents, waitsForUnfinished } from './dependencies.ts';
import { secretValues } from '../secret-values.ts';

/**
 * The AI task queue: every statement the executor, the execute endpoint and the operator CLI run against
 * `workflow_tasks`. A claim holds a lease (`locked_until`) and a fresh per-claim `claim_token`; every write
 * that ends a run checks the token, so a worker that lost its lease cannot overwrite the task.
 */
export interface ClaimedTask extends TaskRow {
  claimToken: string;
  maxAttempts: number;
  /** Priority, then created_at to the microsecond: the claim's order. */
  claimOrder: string;
  /** The W3C traceparent of the request that created the task, which its run's span links to. */
  traceParent: string | null;
}

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  maxAttempts: number;
}

// "claimOrder" keeps created_at to the microsecond (a JS Date would cut it to milliseconds and tie).
const claimedColumns = (sql: Sql) => sql`${taskColumns(sql)}, claim_token AS "claimToken", max_attempts AS "maxAttempts",
  priority::text || to_char(created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') AS "claimOrder", trace_parent AS "traceParent"`;

/** The claim itself, shared by the batch and the single-task claim: running, a lease, a fresh token, one more attempt. */
const claimSet = (sql: Sql, o: ClaimOptions) => sql`
  execution_status = 'running', claim_token = gen_random_uuid(), claimed_by = ${o.workerId},
  locked_until = now() + ${o.leaseMs} * interval '1 millisecond', attempts = attempts + 1,
  max_attempts = ${o.maxAttempts}, updated_at = now()`;

const byPriorityThenAge = (a: ClaimedTask, b: ClaimedTask) => (a.claimOrder < b.claimOrder ? -1 : a.claimOrder > b.claimOrder ? 1 : 0);

/**
 * Claims up to `limit` due AI tasks, priority 1 first then oldest, in one statement. `SKIP LOCKED` lets any number
 * of executors claim at once without waiting for or double-claiming each other's rows. A task waiting for an
 * unfinished prerequisite is not claimable (the same statement checks its dependency rows).
 */
export async function claimQueuedTasks(sql: Sql, limit: number, o: ClaimOptions): Promise<ClaimedTask[]> {
  if (limit <= 0) return [];
  const rows = await sql<ClaimedTask[]>`
    UPDATE workflow_tasks SET ${claimSet(sql, o)}
     WHERE id IN (
       SELECT id FROM workflow_tasks
        WHERE auto_execute AND execution_status = 'queued' AND status <> 'cancelled' AND run_after <= now()
          AND NOT ${waitsForUnfinished(sql, sql`workflow_tasks.id`)}
        ORDER BY priority, created_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING ${claimedColumns(sql)}`;
  return [...rows].sort(byPriorityThenAge);
}

/**
 * Claims one queued task now, whatever its `run_after` (the execute endpoint); undefined when not claimable (running
 * elsewhere, or waiting for an unfinished prerequisite).
 */
export async function claimTaskNow(sql: Sql, id: string, o: ClaimOptions): Promise<ClaimedTask | undefined> {
  const [row] = await sql<ClaimedTask[]>`
    UPDATE workflow_tasks SET ${claimSet(sql, o)}
     WHERE id = (
       SELECT id FROM workflow_tasks
        WHERE id = ${id} AND auto_execute AND execution_status = 'queued' AND status <> 'cancelled'
          AND NOT ${waitsForUnfinished(sql, sql`workflow_tasks.id`)}
        FOR UPDATE SKIP LOCKED)
    RETURNING ${claimedColumns(sql)}`;
  return row;
}

const succeeded = (action: string) => `AI task done: ${action}`.slice(0, 200);

/**
 * Records a success and notifies the CSM, only while the claim still holds. Returns false when the lease was
 * lost (another worker re-claimed the task, or the lease sweep re-queued it): the result is then discarded.
 */
export async function completeTask(sql: Sql, task: ClaimedTask, result: unknown): Promise<boolean> {
  return (await completeTasks(sql, [{ task, result }])).has(task.id);
}

/**
 * Records several successes in one statement (the executor groups completions that finish while a previous
 * write is in flight). Each row is checked against its own claim token; returns the ids whose claim still held.
 */
export async function completeTasks(sql: Sql, items: { task: ClaimedTask; result: unknown }[]): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  return sql.begin(async (tx) => {
    const { done, withDependents } = await recordSuccesses(tx, items);
    // What waited for these tasks is unblocked with them (and queued AI tasks among it wake the executors). The
    // completion's own statement said which tasks have dependents, so a batch without any (most of them) skips the
    // unblock's locking read: one round trip less per completed batch, the same transaction when there are some.
    await unblockDependents(tx, withDependents);
    return done;
  });
}

async function recordSuccesses(
  sql: TransactionSql,
  items: { task: ClaimedTask; result: unknown }[],
): Promise<{ done: Set<string>; withDependents: string[] }> {
  const col = <T>(f: (i: { task: ClaimedTask; result: unknown }) => T) => items.map(f);
  const rows = await sql<{ id: string; hasDependents: boolean }[]>`
    WITH input AS (
      SELECT * FROM unnest(${col((i) => i.task.id)}::uuid[], ${col((i) => i.task.claimToken)}::uuid[],
                           ${col((i) => secretValues().redact(JSON.stringify(i.result ?? null)))}::text[], ${col((i) => succeeded(i.task.action))}::text[],
                           ${col((i) => redactSecrets(summaryOf(i.result)))}::text[]) AS i(id, token, result, title, body)),
    done AS (
      UPDATE workflow_tasks t SET
        execution_status = 'success', execution_result = input.result::jsonb, executed_at = now(),
        status = 'completed', completed_at = coalesce(t.completed_at, now()), locked_until = NULL, last_error = NULL,
        ${markForRemirror(sql)}
        FROM input
       WHERE t.id = input.id AND t.claim_token = input.token AND t.execution_status = 'running'
      RETURNING t.id, t.assignee_user_id, t.opportunity_id, t.action_plan_id, input.token, input.title, input.body),
    note AS (${notificationsFrom(
      sql,
      sql`SELECT assignee_user_id, opportunity_id, id, action_plan_id, ${kind('ai-task-succeeded')}, title, body, 'ai-task-succeeded:' || token
            FROM done WHERE assignee_user_id IS NOT NULL`,
    )})
    SELECT id, EXISTS (SELECT 1 FROM task_dependencies d WHERE d.prerequisite_id = done.id) AS "hasDependents" FROM done`;
  return { done: new Set(rows.map((r) => r.id)), withDependents: rows.filter((r) => r.hasDependents).map((r) => r.id) };
}

interface FailureInput {
  message: string;
  /** A permanent error is not retried. */
  permanent: boolean;
  /** Delay before the next attempt, when one is left. */
  retryDelayMs: number;
  code?: string;
}

/**
 * Records a failed attempt while the claim still holds: queued again after the delay when attempts are left and
 * the error is not permanent, otherwise `failed` for good with the reason in `execution_result.error` (what the
 * LWC shows) and a notification for the CSM. Returns the resulting status, or undefined when the lease was lost.
 */
export async function failTask(sql: Sql, task: ClaimedTask, failure: FailureInput): Promise<ExecutionStatus | undefined> {
  // A processor's error can quote what a provider answered, keys included: stored, shown and notified redacted.
  const f = { ...failure, message: redactSecrets(failure.message) };
  const final = f.permanent || task.attempts >= task.maxAttempts;
  const result = {
    error: f.message,
    ...(f.code ? { code: f.code } : {}),
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
    permanent: f.permanent,
  };
  // The retry time is the database's clock plus the delay, like the lease: one clock for every instance.
  const retryAt = sql`now() + ${f.retryDelayMs} * interval '1 millisecond'`;
  const rows = await sql<{ status: ExecutionStatus }[]>`
    WITH f AS (
      UPDATE workflow_tasks SET
        execution_status = ${final ? 'failed' : 'queued'},
        execution_result = ${final ? sql`${sql.json(result)}::jsonb` : sql`${sql.json(result)}::jsonb || jsonb_build_object('retryAt', to_char((${retryAt}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`},
        run_after = ${final ? sql`run_after` : retryAt},
        executed_at = now(), last_error = ${f.message}, locked_until = NULL, updated_at = now()
       WHERE id = ${task.id} AND claim_token = ${task.claimToken} AND execution_status = 'running'
      RETURNING id, execution_status, assignee_user_id, opportunity_id, action_plan_id),
    note AS (${notificationsFrom(
      sql,
      sql`SELECT assignee_user_id, opportunity_id, id, action_plan_id, ${kind('ai-task-failed')}, ${`AI task failed: ${task.action}`.slice(0, 200)},
                 ${`${f.message} (attempt ${task.attempts} of ${task.maxAttempts}${f.permanent ? ', not retryable' : ''})`},
                 ${`ai-task-failed:${task.claimToken}`}
            FROM f WHERE execution_status = 'failed' AND assignee_user_id IS NOT NULL`,
    )})
    SELECT execution_status AS status FROM f`;
  return rows[0]?.status;
}

/**
 * Puts a claimed task back without spending its attempt: Salesforce paused writes (REQUEST_LIMIT_EXCEEDED), which says
 * nothing about the task. Queued again, due when the pause ends; the reason and that time are in execution_result
 * (what the component shows). Only while the claim holds; returns false when the lease was lost.
 */
export async function deferTask(sql: Sql, task: ClaimedTask, d: { message: string; delayMs: number; code?: string }): Promise<boolean> {
  const runAfter = sql`now() + ${Math.max(0, Math.round(d.delayMs))} * interval '1 millisecond'`;
  const message = redactSecrets(d.message);
  const rows = await sql`
    UPDATE workflow_tasks SET
      execution_status = 'queued', attempts = greatest(attempts - 1, 0), run_after = ${runAfter},
      execution_result = ${sql.json({ deferred: true, reason: message, ...(d.code ? { code: d.code } : {}) })}::jsonb
        || jsonb_build_object('retryAt', to_char((${runAfter}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      last_error = ${message}, locked_until = NULL, updated_at = now()
     WHERE id = ${task.id} AND claim_token = ${task.claimToken} AND execution_status = 'running'
    RETURNING id`;
  return rows.length === 1;
}

/** Keeps the leases of tasks still running in this worker; returns how many it still holds. */
export async function extendLeases(sql: Sql, claimTokens: string[], leaseMs: number): Promise<number> {
  if (claimTokens.length === 0) return 0;
  const rows = await sql`
    UPDATE workflow_tasks SET locked_until = now() + ${leaseMs} * interval '1 millisecond'
     WHERE claim_token IN ${sql(claimTokens)} AND execution_status = 'running'
    RETURNING id`;
  return rows.length;
}

/**
 * Gives back tasks a stopping worker did not finish: queued again at once, and the attempt is not counted (the
 * task did not fail, the worker left).
 */
export async function releaseTasks(sql: Sql, claimTokens: string[]): Promise<number> {
  if (claimTokens.length === 0) return 0;
  const rows = await sql`
    UPDATE workflow_tasks SET execution_status = 'queued', attempts = greatest(attempts - 1, 0), locked_until = NULL,
           run_after = now(), updated_at = now()
     WHERE claim_token IN ${sql(claimTokens)} AND execution_status = 'running'
    RETURNING id`;
  return rows.length;
}

/**
 * Recovers tasks whose lease expired (their worker crashed, was killed or stalled): queued again, or failed with a
 * notification when that was the last attempt. Their old claim token no longer completes them.
 */
export async function recoverExpiredLeases(sql: Sql): Promise<{ requeued: number; failed: number }> {
  const rows = await sql<{ status: ExecutionStatus }[]>`
    WITH expired AS (
      SELECT id FROM workflow_tasks
       WHERE execution_status = 'running' AND locked_until < now()
       FOR UPDATE SKIP LOCKED),
    r AS (
      UPDATE workflow_tasks t SET
        execution_status = CASE WHEN t.attempts >= t.max_attempts THEN 'failed' ELSE 'queued' END,
        execution_result = CASE WHEN t.attempts >= t.max_attempts
          THEN jsonb_build_object('error', 'The worker running this task stopped before it finished (lease expired) on its last attempt',
                                  'attempts', t.attempts, 'maxAttempts', t.max_attempts, 'permanent', false)
          ELSE t.execution_result END,
        last_error = 'lease expired: worker ' || coalesce(t.claimed_by, 'unknown') || ' stopped before finishing',
        claim_token = NULL, locked_until = NULL, run_after = now(), updated_at = now()
       WHERE t.id IN (SELECT id FROM expired)
      RETURNING t.id, t.execution_status, t.assignee_user_id, t.opportunity_id, t.action_plan_id, t.action, t.attempts),
    note AS (${notificationsFrom(
      sql,
      sql`SELECT assignee_user_id, opportunity_id, id, action_plan_id, ${kind('ai-task-failed')}, left('AI task failed: ' || action, 200),
                 'The worker running this task stopped before it finished, on its last attempt.',
                 'ai-task-failed:lease:' || id || ':' || attempts
            FROM r WHERE execution_status = 'failed' AND assignee_user_id IS NOT NULL`,
    )})
    SELECT execution_status AS status FROM r`;
  return { requeued: rows.filter((r) => r.status === 'queued').length, failed: rows.filter((r) => r.status === 'failed').length };
}

/**
 * AI tasks by execution status (for /metrics and the CLI). One count per status, each answered from the partial
 * index on `execution_status` (an index-only count), so a year of finished tasks is never read from the table.
 */
export async function queueDepth(sql: Sql): Promise<Record<ExecutionStatus, number>> {
  const statuses: ExecutionStatus[] = ['queued', 'running', 'success', 'failed'];
  const rows = await sql<{ status: ExecutionStatus; n: number }[]>`
    SELECT s.status, (SELECT count(*)::int FROM workflow_tasks WHERE auto_execute AND execution_status = s.status) AS n
      FROM unnest(${statuses}::text[]) AS s(status)`;
  const depth = { queued: 0, running: 0, success: 0, failed: 0 };
  for (const r of rows) depth[r.status] = r.n;
  return depth;
}

interface QueueEntry {
  id: string;
  processor: string | null;
  action: string;
  executionStatus: ExecutionStatus;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAfter: Date;
  lockedUntil: Date | null;
  claimedBy: string | null;
  lastError: string | null;
  opportunityId: string;
  updatedAt: Date;
}

/** AI tasks in one status, most recently changed first (the operator's view). */
export async function listQueue(sql: Sql, status: ExecutionStatus | undefined, limit: number): Promise<QueueEntry[]> {
  return sql<QueueEntry[]>`
    SELECT id, processor, action, execution_status AS "executionStatus", priority, attempts, max_attempts AS "maxAttempts",
           run_after AS "runAfter", locked_until AS "lockedUntil", claimed_by AS "claimedBy", last_error AS "lastError",
           opportunity_id AS "opportunityId", updated_at AS "updatedAt"
      FROM workflow_tasks
     WHERE auto_execute AND execution_status IS NOT NULL ${status ? sql`AND execution_status = ${status}` : sql``}
     ORDER BY updated_at DESC LIMIT ${limit}`;
}

/** The latest errors recorded on AI tasks (failed for good, or waiting to retry). */
export async function lastErrors(sql: Sql, limit: number): Promise<QueueEntry[]> {
  return sql<QueueEntry[]>`
    SELECT id, processor, action, execution_status AS "executionStatus", priority, attempts, max_attempts AS "maxAttempts",
           run_after AS "runAfter", locked_until AS "lockedUntil", claimed_by AS "claimedBy", last_error AS "lastError",
           opportunity_id AS "opportunityId", updated_at AS "updatedAt"
      FROM workflow_tasks WHERE auto_execute AND last_error IS NOT NULL
     ORDER BY updated_at DESC LIMIT ${limit}`;
}

/** Operator retry: a failed (or waiting) task is queued now with its attempts reset. Not a running or done one. */
export async function retryTask(sql: Sql, id: string): Promise<ExecutionStatus | undefined> {
  const [row] = await sql<{ status: ExecutionStatus }[]>`
    UPDATE workflow_tasks SET execution_status = 'queued', attempts = 0, run_after = now(), updated_at = now(),
           status = CASE WHEN status = 'cancelled' THEN 'pending' ELSE status END
     WHERE id = ${id} AND auto_execute AND execution_status IN ('failed', 'queued')
    RETURNING execution_status AS status`;
  return row?.status;
}

/**
 * Operator cancel: a queued or failed task will not run (task status `cancelled`; the execution status becomes
 * `failed` with the reason, as the component expects). A running task is left to finish.
 */
export async function cancelTask(sql: Sql, id: string, reason: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const rows = await tx`
      UPDATE workflow_tasks SET status = 'cancelled', execution_status = 'failed',
             execution_result = ${tx.json({ error: reason, cancelled: true })}, last_error = ${reason}, 
             ${markForRemirror(tx)}
       WHERE id = ${id} AND auto_execute AND execution_status IN ('queued', 'failed') AND status <> 'cancelled'
      RETURNING id`;
    // A cancelled prerequisite holds nothing back any more.
    await unblockDependents(
      tx,
      rows.map((r) => r.id as string),
    );
    return rows.length === 1;
  });
}

function summaryOf(result: unknown): string {
  const summary = (result as { summary?: unknown } | null)?.summary;
  return typeof summary === 'string' ? summary.slice(0, 1000) : '';
}
