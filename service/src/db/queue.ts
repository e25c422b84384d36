import { redactSecrets } from '../secrets.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { taskColumns, type ExecutionStatus, type TaskRow } from './tasks.ts';
import { aiTasksIn, lockQueueRows, type Fragment } from './task-queue-state.ts';
import { kind, notificationsFrom } from './notifications.ts';
import { markForRemirror } from './remirror.ts';
import { unblockDependents, waitsForUnfinished } from './dependencies.ts';
import { secretValues } from '../secret-values.ts';

/**
 * The AI task queue: every statement the executor, the execute endpoint and the operator CLI run against it. The queue
 * is `task_queue` (migration 0024), one narrow row per queued or running AI task; the claim, the lease renewal, the
 * release and the sweep touch only it, and `workflow_tasks` is written once when a run ends. A claim holds a lease
 * (`locked_until`, on the database's clock) and a fresh per-claim `claim_token`; every write that ends a run checks the
 * token, so a worker that lost its lease cannot overwrite the task.
 */
export interface ClaimedTask extends TaskRow {
  claimToken: string;
  maxAttempts: number;
  /** Priority, then created_at to the microsecond: the claim's order. */
  claimOrder: string;
  /** The W3C traceparent of the request that created the task, which its run's span links to. */
  traceParent: string | null;
  /** Tasks waited for it when it was claimed: its completion unblocks them in the same transaction. */
  hasDependents: boolean;
}

/** A claim, as the statements that keep or end it name it: the task and its token (found by primary key). */
type Claim = Pick<ClaimedTask, 'id' | 'claimToken'>;

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  maxAttempts: number;
}

const byPriorityThenAge = (a: ClaimedTask, b: ClaimedTask) => (a.claimOrder < b.claimOrder ? -1 : a.claimOrder > b.claimOrder ? 1 : 0);

/**
 * The claim itself, shared by the batch claim, the single-task claim and a batch's completion: a lease, a fresh token,
 * one more attempt, on the queue rows `candidates` selects (`FOR UPDATE SKIP LOCKED`). Only task_queue is written (the
 * row leaves the partial index of unclaimed rows: one primary-key entry); the task's row is only read, by primary key,
 * for the processor. `update` is the CTE the claimed tasks' `columns` are read from (`FROM c JOIN workflow_tasks`).
 */
function claimParts(sql: Sql | TransactionSql, o: ClaimOptions, candidates: Fragment) {
  return {
    update: sql`
      UPDATE task_queue SET claim_token = gen_random_uuid(), claimed_by = ${o.workerId},
             locked_until = now() + ${o.leaseMs} * interval '1 millisecond', attempts = attempts + 1, max_attempts = ${o.maxAttempts}
       WHERE task_id IN (${candidates})
      RETURNING task_id AS claimed_id, claim_token AS claimed_token, attempts AS claimed_attempts, max_attempts AS claimed_max,
                priority::text || to_char(created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') AS claimed_order`,
    // "claimOrder" keeps created_at to the microsecond (a JS Date would cut it to milliseconds and tie).
    columns: sql`
      ${taskColumns(sql, { executionStatus: sql`'running'`, attempts: sql`c.claimed_attempts` })},
      c.claimed_token AS "claimToken", c.claimed_max AS "maxAttempts", c.claimed_order AS "claimOrder",
      trace_parent AS "traceParent",
      EXISTS (SELECT 1 FROM task_dependencies d WHERE d.prerequisite_id = workflow_tasks.id) AS "hasDependents"`,
  };
}

async function claim(sql: Sql, o: ClaimOptions, candidates: Fragment): Promise<ClaimedTask[]> {
  const { update, columns } = claimParts(sql, o, candidates);
  return sql<ClaimedTask[]>`WITH c AS (${update}) SELECT ${columns} FROM c JOIN workflow_tasks ON workflow_tasks.id = c.claimed_id`;
}

/**
 * The due, unclaimed queue rows, priority 1 first then oldest, locked for the claim. A task waiting for an unfinished
 * prerequisite stays in the queue but is not claimable (the same statement checks its dependency rows).
 */
const dueTasks = (sql: Sql | TransactionSql, limit: number): Fragment =>
  sql`SELECT q.task_id FROM task_queue q
       WHERE q.claim_token IS NULL AND q.run_after <= now() AND NOT ${waitsForUnfinished(sql, sql`q.task_id`)}
       ORDER BY q.priority, q.created_at
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED`;

/**
 * Claims up to `limit` due AI tasks (`dueTasks`) in one statement. `SKIP LOCKED` lets any number of executors claim at
 * once without waiting for or double-claiming each other's rows.
 */
export async function claimQueuedTasks(sql: Sql, limit: number, o: ClaimOptions): Promise<ClaimedTask[]> {
  if (limit <= 0) return [];
  return [...(await claim(sql, o, dueTasks(sql, limit)))].sort(byPriorityThenAge);
}

/**
 * Claims one queued task now, whatever its `run_after` (the execute endpoint); undefined when not claimable (running
 * elsewhere, or waiting for an unfinished prerequisite).
 */
export async function claimTaskNow(sql: Sql, id: string, o: ClaimOptions): Promise<ClaimedTask | undefined> {
  const [row] = await claim(
    sql,
    o,
    sql`SELECT q.task_id FROM task_queue q
         WHERE q.task_id = ${id} AND q.claim_token IS NULL AND NOT ${waitsForUnfinished(sql, sql`q.task_id`)}
         FOR UPDATE SKIP LOCKED`,
  );
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
export async function completeTasks(sql: Sql, items: Completion[]): Promise<Set<string>> {
  return (await completeAndClaim(sql, items)).done;
}

type Completion = { task: ClaimedTask; result: unknown };

/** The next batch a worker takes as its current one ends: up to `limit` due tasks, claimed as `claimQueuedTasks` claims. */
export interface NextClaim extends ClaimOptions {
  limit: number;
}

/**
 * Records successes as `completeTasks` does and, when `next` is given, claims the worker's next tasks (`claimQueuedTasks`'s
 * claim) in the same statement: a worker whose batch ends takes its next batch without a round trip of its own. The
 * claim rides only on the one-statement completion (nothing waited for these tasks when they were claimed); a batch with
 * dependents is a transaction that claims nothing, and the worker claims after it. The claim's snapshot is the
 * statement's: the rows this statement completes are still claimed in it, so they are never candidates, and tasks they
 * unblock are claimable from the next statement on (their notification wakes the executors).
 */
export async function completeAndClaim(
  sql: Sql,
  items: Completion[],
  next?: NextClaim,
): Promise<{ done: Set<string>; claimed: ClaimedTask[] }> {
  if (items.length === 0) return { done: new Set(), claimed: next ? await claimQueuedTasks(sql, next.limit, next) : [] };
  if (!items.some((i) => i.task.hasDependents)) {
    // Nothing waited for these tasks when they were claimed (most batches): the one statement is the transaction.
    const { done, withDependents, claimed } = await recordSuccesses(sql, items, next);
    // A dependency written while a task ran (a re-plan's, rare) is unblocked at once, in a transaction of its own.
    if (withDependents.length) await sql.begin((tx) => unblockDependents(tx, withDependents));
    return { done, claimed };
  }
  const done = await sql.begin(async (tx) => {
    const { done, withDependents } = await recordSuccesses(tx, items);
    // What waited for these tasks is unblocked with them, in the same transaction (and queued AI tasks among it wake
    // the executors).
    await unblockDependents(tx, withDependents);
    return done;
  });
  return { done, claimed: [] };
}

/** A row of the completion statement: a completed task (`doneId`), a claimed one (the task's columns), or one of each. */
type CompletionRow = Partial<ClaimedTask> & { doneId: string | null; doneHasDependents: boolean | null; n?: string };

/**
 * The completion of a batch, one statement: the claimed queue rows are deleted under their tokens (the fence), the
 * tasks' rows written once (result, status, the attempt count and worker copied back, the re-mirror mark), and the
 * CSM's notifications inserted. It returns which completed tasks have dependents now, and the tasks `next` claimed:
 * the two lists side by side, row n holding the nth of each (`FULL JOIN` on the row number), so one statement answers both.
 */
async function recordSuccesses(
  sql: Sql | TransactionSql,
  items: Completion[],
  next?: NextClaim,
): Promise<{ done: Set<string>; withDependents: string[]; claimed: ClaimedTask[] }> {
  const col = <T>(f: (i: Completion) => T) => items.map(f);
  const claimNext = next && next.limit > 0 ? claimParts(sql, next, dueTasks(sql, next.limit)) : undefined;
  const rows = await sql<CompletionRow[]>`
    WITH input AS (
      SELECT * FROM unnest(${col((i) => i.task.id)}::uuid[], ${col((i) => i.task.claimToken)}::uuid[],
                           ${col((i) => secretValues().redact(JSON.stringify(i.result ?? null)))}::text[], ${col((i) => succeeded(i.task.action))}::text[],
                           ${col((i) => redactSecrets(summaryOf(i.result)))}::text[]) AS i(id, token, result, title, body)),
    claimed AS (
      DELETE FROM task_queue q USING input
       WHERE q.task_id = input.id AND q.claim_token = input.token
      RETURNING q.task_id, q.attempts AS run_attempts, q.max_attempts AS run_max, q.claimed_by AS run_by),
    done AS (
      UPDATE workflow_tasks t SET
        execution_status = 'success', execution_result = input.result::jsonb, executed_at = now(),
        status = 'completed', completed_at = coalesce(t.completed_at, now()), last_error = NULL,
        attempts = claimed.run_attempts, max_attempts = claimed.run_max, claimed_by = claimed.run_by,
        ${markForRemirror(sql)}
        FROM claimed JOIN input ON input.id = claimed.task_id
       WHERE t.id = claimed.task_id
      RETURNING t.id, t.assignee_user_id, t.opportunity_id, t.action_plan_id, input.token, input.title, input.body),
    note AS (${notificationsFrom(
      sql,
      sql`SELECT assignee_user_id, opportunity_id, id, action_plan_id, ${kind('ai-task-succeeded')}, title, body, 'ai-task-succeeded:' || token
            FROM done WHERE assignee_user_id IS NOT NULL`,
    )}),
    finished AS (
      SELECT id, EXISTS (SELECT 1 FROM task_dependencies d WHERE d.prerequisite_id = done.id) AS has_dependents,
             row_number() OVER () AS n
        FROM done)
    ${
      claimNext
        ? sql`, c AS (${claimNext.update}),
          next AS (SELECT ${claimNext.columns}, row_number() OVER () AS n FROM c JOIN workflow_tasks ON workflow_tasks.id = c.claimed_id)
          SELECT finished.id AS "doneId", finished.has_dependents AS "doneHasDependents", next.* FROM finished FULL JOIN next USING (n)`
        : sql`SELECT id AS "doneId", has_dependents AS "doneHasDependents" FROM finished`
    }`;
  const done = new Set<string>();
  const withDependents: string[] = [];
  const claimed: ClaimedTask[] = [];
  for (const { doneId, doneHasDependents, ...task } of rows) {
    if (doneId) {
      done.add(doneId);
      if (doneHasDependents) withDependents.push(doneId);
    }
    if (!task.id) continue;
    delete task.n; // the row number the two lists were joined on
    claimed.push(task as ClaimedTask);
  }
  return { done, withDependents, claimed: claimed.sort(byPriorityThenAge) };
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
  const held = sql`task_id = ${task.id} AND claim_token = ${task.claimToken}`;
  // A final failure leaves the queue; a retry stays in it, due at retryAt. The task's row keeps `queued` for a retry
  // (its SET list leaves the queue trigger's columns alone) and shows the error and the retry time.
  const rows = await sql<{ status: ExecutionStatus }[]>`
    WITH q AS (
      ${
        final
          ? sql`DELETE FROM task_queue WHERE ${held} RETURNING task_id, attempts, max_attempts, claimed_by`
          : sql`UPDATE task_queue SET claim_token = NULL, locked_until = NULL, run_after = ${retryAt} WHERE ${held}
                RETURNING task_id, attempts, max_attempts, claimed_by`
      }),
    f AS (
      UPDATE workflow_tasks t SET
        ${final ? sql`execution_status = 'failed', attempts = q.attempts, max_attempts = q.max_attempts,` : sql``}
        execution_result = ${final ? sql`${sql.json(result)}::jsonb` : sql`${sql.json(result)}::jsonb || jsonb_build_object('retryAt', to_char((${retryAt}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`},
        executed_at = now(), last_error = ${f.message}, claimed_by = q.claimed_by, updated_at = now()
        FROM q WHERE t.id = q.task_id
      RETURNING t.id, t.execution_status, t.assignee_user_id, t.opportunity_id, t.action_plan_id),
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
    WITH q AS (
      UPDATE task_queue SET claim_token = NULL, locked_until = NULL, attempts = greatest(attempts - 1, 0), run_after = ${runAfter}
       WHERE task_id = ${task.id} AND claim_token = ${task.claimToken}
      RETURNING task_id)
    UPDATE workflow_tasks t SET
      execution_result = ${sql.json({ deferred: true, reason: message, ...(d.code ? { code: d.code } : {}) })}::jsonb
        || jsonb_build_object('retryAt', to_char((${runAfter}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      last_error = ${message}, updated_at = now()
      FROM q WHERE t.id = q.task_id
    RETURNING t.id`;
  return rows.length === 1;
}

/** The claims among `claims` as (id, token) pairs, for a statement that finds them by primary key. */
const claimPairs = (sql: Sql, claims: Claim[]) =>
  sql`(task_id, claim_token) IN (SELECT * FROM unnest(${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.claimToken)}::uuid[]))`;

/** Keeps the leases of tasks still running in this worker (a HOT update of task_queue); returns how many it still holds. */
export async function extendLeases(sql: Sql, claims: Claim[], leaseMs: number): Promise<number> {
  if (claims.length === 0) return 0;
  const rows = await sql`
    UPDATE task_queue SET locked_until = now() + ${leaseMs} * interval '1 millisecond'
     WHERE ${claimPairs(sql, claims)}
    RETURNING task_id`;
  return rows.length;
}

/**
 * Gives back tasks a stopping worker did not finish: queued again at once, and the attempt is not counted (the
 * task did not fail, the worker left). The queue's trigger wakes the other executors.
 */
export async function releaseTasks(sql: Sql, claims: Claim[]): Promise<number> {
  if (claims.length === 0) return 0;
  const rows = await sql`
    UPDATE task_queue SET claim_token = NULL, claimed_by = NULL, locked_until = NULL, attempts = greatest(attempts - 1, 0), run_after = now()
     WHERE ${claimPairs(sql, claims)}
    RETURNING task_id`;
  return rows.length;
}

/**
 * Recovers tasks whose lease expired (their worker crashed, was killed or stalled): queued again, or failed with a
 * notification when that was the last attempt. Their old claim token no longer completes them. The expired claims are
 * read from task_queue (the backlog only, a few rows claimed); each task's row gets the reason.
 */
export async function recoverExpiredLeases(sql: Sql): Promise<{ requeued: number; failed: number }> {
  const rows = await sql<{ status: ExecutionStatus }[]>`
    WITH expired AS (
      SELECT task_id, attempts, max_attempts, claimed_by, attempts >= max_attempts AS last FROM task_queue
       WHERE claim_token IS NOT NULL AND locked_until < now()
       FOR UPDATE SKIP LOCKED),
    gone AS (DELETE FROM task_queue q USING expired e WHERE q.task_id = e.task_id AND e.last RETURNING q.task_id),
    back AS (
      UPDATE task_queue q SET claim_token = NULL, claimed_by = NULL, locked_until = NULL, run_after = now()
        FROM expired e WHERE q.task_id = e.task_id AND NOT e.last
      RETURNING q.task_id),
    r AS (
      UPDATE workflow_tasks t SET
        execution_status = CASE WHEN e.last THEN 'failed' ELSE t.execution_status END,
        execution_result = CASE WHEN e.last
          THEN jsonb_build_object('error', 'The worker running this task stopped before it finished (lease expired) on its last attempt',
                                  'attempts', e.attempts, 'maxAttempts', e.max_attempts, 'permanent', false)
          ELSE t.execution_result END,
        last_error = 'lease expired: worker ' || coalesce(e.claimed_by, 'unknown') || ' stopped before finishing',
        attempts = e.attempts, max_attempts = e.max_attempts, claimed_by = e.claimed_by, updated_at = now()
        FROM expired e WHERE t.id = e.task_id
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
 * AI tasks by execution status (for /metrics and the CLI): queued and running counted in task_queue (the backlog),
 * success and failed from the partial index on `execution_status` (an index-only count), so a year of finished tasks
 * is never read from the table.
 */
export async function queueDepth(sql: Sql): Promise<Record<ExecutionStatus, number>> {
  const [row] = await sql<Record<ExecutionStatus, number>[]>`
    SELECT (SELECT count(*)::int FROM task_queue WHERE claim_token IS NULL) AS queued,
           (SELECT count(*)::int FROM task_queue WHERE claim_token IS NOT NULL) AS running,
           (SELECT count(*)::int FROM workflow_tasks WHERE auto_execute AND execution_status = 'success') AS success,
           (SELECT count(*)::int FROM workflow_tasks WHERE auto_execute AND execution_status = 'failed') AS failed`;
  return row!;
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

/** The operator's columns: the live claim (attempts, lease, worker) from task_queue while the task is in it. */
const queueEntryColumns = (sql: Sql) => sql`
  t.id, t.processor, t.action, CASE WHEN q.claim_token IS NOT NULL THEN 'running' ELSE t.execution_status END AS "executionStatus",
  t.priority, coalesce(q.attempts, t.attempts) AS attempts, coalesce(q.max_attempts, t.max_attempts) AS "maxAttempts",
  coalesce(q.run_after, t.run_after) AS "runAfter", q.locked_until AS "lockedUntil", coalesce(q.claimed_by, t.claimed_by) AS "claimedBy",
  t.last_error AS "lastError", t.opportunity_id AS "opportunityId", t.updated_at AS "updatedAt"
  FROM workflow_tasks t LEFT JOIN task_queue q ON q.task_id = t.id`;

/** AI tasks in one status, most recently changed first (the operator's view). */
export async function listQueue(sql: Sql, status: ExecutionStatus | undefined, limit: number): Promise<QueueEntry[]> {
  return sql<QueueEntry[]>`
    SELECT ${queueEntryColumns(sql)}
     WHERE ${status ? aiTasksIn(sql, sql`t`, status) : sql`t.auto_execute AND t.execution_status IS NOT NULL`}
     ORDER BY t.updated_at DESC LIMIT ${limit}`;
}

/** The latest errors recorded on AI tasks (failed for good, or waiting to retry). */
export async function lastErrors(sql: Sql, limit: number): Promise<QueueEntry[]> {
  return sql<QueueEntry[]>`
    SELECT ${queueEntryColumns(sql)} WHERE t.auto_execute AND t.last_error IS NOT NULL
     ORDER BY t.updated_at DESC LIMIT ${limit}`;
}

/** Operator retry: a failed (or waiting) task is queued now with its attempts reset. Not a running or done one. */
export async function retryTask(sql: Sql, id: string): Promise<ExecutionStatus | undefined> {
  return sql.begin(async (tx) => {
    if ((await lockQueueRows(tx, [id])).size > 0) return undefined;
    const [row] = await tx<{ status: ExecutionStatus }[]>`
      UPDATE workflow_tasks SET execution_status = 'queued', attempts = 0, run_after = now(), updated_at = now(),
             status = CASE WHEN status = 'cancelled' THEN 'pending' ELSE status END
       WHERE id = ${id} AND auto_execute AND execution_status IN ('failed', 'queued')
      RETURNING execution_status AS status`;
    // A task waiting for its retry kept its queue row (the trigger leaves its attempts): they restart there too.
    if (row) await tx`UPDATE task_queue SET attempts = 0, run_after = now() WHERE task_id = ${id}`;
    return row?.status;
  });
}

/**
 * Operator cancel: a queued or failed task will not run (task status `cancelled`; the execution status becomes
 * `failed` with the reason, as the component expects). A running task is left to finish.
 */
export async function cancelTask(sql: Sql, id: string, reason: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    if ((await lockQueueRows(tx, [id])).size > 0) return false;
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
