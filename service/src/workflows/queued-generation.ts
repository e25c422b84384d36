import { getExecution } from '../db/executions.ts';
import { currentPlan } from '../db/plans.ts';
import { claimPlanGenerations, deferPlanGeneration, finishPlanGeneration } from '../db/plan-generation-queue.ts';
import type { Deps } from '../deps.ts';
import { RateLimited } from '../domain-errors.ts';
import { generatePlan } from './generate-plan.ts';

/** Attempts of a queued generation that fails (not counting waits for a rate limit) before it is left failed. */
const PLAN_GENERATION_ATTEMPTS = 3;

/**
 * Generates the draft plans a bulk start queued, one at a time, as the user who asked: the same generatePlan a CSM's
 * click runs, under the org's bulk budget and the per-execution limit, never the CSM's own budget (so a bulk start
 * never starves a CSM's click; a limited request waits for its Retry-After and costs no attempt). An execution that got a plan meanwhile (the CSM generated one) or ended is done with nothing
 * generated. A run's lease covers every generation of its batch at its deadline, so only a stopped instance's rows
 * come back to the queue.
 */
export async function generateQueuedPlans(deps: Deps): Promise<{ generated: number; deferred: number; failed: number }> {
  const now = deps.now();
  const leaseMs = (deps.env.GENERATION_DEADLINE_SECONDS + 60) * 1000 * deps.env.PLAN_GENERATION_BATCH;
  const claimed = await claimPlanGenerations(deps.db.sql, now, deps.env.PLAN_GENERATION_BATCH, leaseMs);
  const outcome = { generated: 0, deferred: 0, failed: 0 };
  for (const request of claimed) {
    const { executionId } = request;
    try {
      const execution = await getExecution(deps.db.sql, executionId);
      const existing = execution && (await currentPlan(deps.db.sql, executionId));
      if (!execution || execution.status !== 'in_progress' || existing) {
        await finishPlanGeneration(deps.db.sql, executionId, existing ? existing.id : null);
        continue;
      }
      const plan = await generatePlan(deps, request.requestedBy, execution, 'bulk');
      await finishPlanGeneration(deps.db.sql, executionId, plan.id);
      outcome.generated++;
    } catch (err) {
      const error = (err as Error).message;
      if (err instanceof RateLimited) {
        await deferPlanGeneration(deps.db.sql, executionId, {
          runAfter: new Date(deps.now().getTime() + err.retryAfterSeconds * 1000),
          error,
          countAttempt: false,
        });
        outcome.deferred++;
      } else if (request.attempts >= PLAN_GENERATION_ATTEMPTS) {
        await deferPlanGeneration(deps.db.sql, executionId, { failed: error });
        deps.log.error('queued plan generation failed', { executionId, attempts: request.attempts, error });
        outcome.failed++;
      } else {
        // Back off: 1, 4, 16 minutes.
        const delayMs = 60_000 * 4 ** (request.attempts - 1);
        await deferPlanGeneration(deps.db.sql, executionId, {
          runAfter: new Date(deps.now().getTime() + delayMs),
          error,
          countAttempt: true,
        });
        deps.log.warn('queued plan generation will retry', { executionId, attempts: request.attempts, error });
        outcome.deferred++;
      }
    }
  }
  return outcome;
}
