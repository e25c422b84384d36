import type { Sql } from './sql.ts';
import { redactSecrets } from '../secrets.ts';

/** A queued draft-plan generation (a bulk start's `generate: true`), claimed by the plan-generation schedule. */
interface PlanGenerationRequest {
  executionId: string;
  requestedBy: string;
  attempts: number;
}

/**
 * Queues a draft plan for each execution that has no plan yet and no request; answers the executions now waiting for
 * one (queued now or before). Idempotent: one row per execution.
 */
export async function queuePlanGenerations(
  sql: Sql,
  requests: { executionId: string; requestedBy: string }[],
  now: Date,
): Promise<Set<string>> {
  if (requests.length === 0) return new Set();
  const ids = requests.map((r) => r.executionId);
  await sql`
    INSERT INTO plan_generation_requests (execution_id, requested_by, run_after)
    SELECT r.execution_id, r.requested_by, ${now}
      FROM unnest(${ids}::uuid[], ${requests.map((r) => r.requestedBy)}::text[]) AS r(execution_id, requested_by)
     WHERE NOT EXISTS (SELECT 1 FROM action_plans p WHERE p.execution_id = r.execution_id)
    ON CONFLICT (execution_id) DO NOTHING`;
  const waiting = await sql<{ executionId: string }[]>`
    SELECT execution_id AS "executionId" FROM plan_generation_requests
     WHERE execution_id = ANY(${ids}::uuid[]) AND status IN ('queued', 'running')`;
  return new Set(waiting.map((w) => w.executionId));
}

/**
 * Claims up to `limit` due requests (queued, or running with a lapsed lease: the instance that held it stopped) for
 * `leaseMs`, oldest first; SKIP LOCKED so concurrent claimers never take the same row.
 */
export async function claimPlanGenerations(sql: Sql, now: Date, limit: number, leaseMs: number): Promise<PlanGenerationRequest[]> {
  return sql<PlanGenerationRequest[]>`
    UPDATE plan_generation_requests r
       SET status = 'running', attempts = r.attempts + 1, lease_until = ${new Date(now.getTime() + leaseMs)}, updated_at = now()
     WHERE r.execution_id IN (
       SELECT execution_id FROM plan_generation_requests
        WHERE (status = 'queued' AND run_after <= ${now}) OR (status = 'running' AND lease_until <= ${now})
        ORDER BY run_after, created_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING r.execution_id AS "executionId", r.requested_by AS "requestedBy", r.attempts`;
}

/** The generation is done: the draft it wrote (or none, when the execution had a plan by then). */
export async function finishPlanGeneration(sql: Sql, executionId: string, planId: string | null): Promise<void> {
  await sql`
    UPDATE plan_generation_requests SET status = 'done', plan_id = ${planId}, lease_until = NULL, last_error = NULL, updated_at = now()
     WHERE execution_id = ${executionId}`;
}

/**
 * Back in the queue until `runAfter` (a rate limit, or a failure to retry), or failed for good. `countAttempt` false
 * gives back the attempt the claim took (waiting for a rate limit is not a failure).
 */
export async function deferPlanGeneration(
  sql: Sql,
  executionId: string,
  outcome: { runAfter: Date; error: string; countAttempt: boolean } | { failed: string },
): Promise<void> {
  if ('failed' in outcome) {
    await sql`
      UPDATE plan_generation_requests SET status = 'failed', lease_until = NULL, last_error = ${redactSecrets(outcome.failed)}, updated_at = now()
       WHERE execution_id = ${executionId}`;
    return;
  }
  await sql`
    UPDATE plan_generation_requests
       SET status = 'queued', run_after = ${outcome.runAfter}, lease_until = NULL, last_error = ${redactSecrets(outcome.error)},
           attempts = attempts - ${outcome.countAttempt ? 0 : 1}, updated_at = now()
     WHERE execution_id = ${executionId}`;
}

/** The request of an execution (for tests and the operator). */
export async function planGenerationRequest(sql: Sql, executionId: string) {
  const [row] = await sql<{ status: string; attempts: number; planId: string | null; lastError: string | null; runAfter: Date }[]>`
    SELECT status, attempts, plan_id AS "planId", last_error AS "lastError", run_after AS "runAfter"
      FROM plan_generation_requests WHERE execution_id = ${executionId}`;
  return row;
}
