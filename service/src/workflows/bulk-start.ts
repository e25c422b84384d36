import { currentPlanIds } from '../db/plans.ts';
import { queuePlanGenerations } from '../db/plan-generation-queue.ts';
import type { Deps } from '../deps.ts';
import { SalesforceError } from '../salesforce/errors.ts';
import { idKey } from '../salesforce/ids.ts';
import { startWorkflow } from './executions.ts';
import { followRenewalDate } from './renewal-date.ts';

export const BULK_OUTCOMES = ['created', 'already_running', 'forbidden', 'not_found', 'not_renewal', 'failed'] as const;
type BulkOutcome = (typeof BULK_OUTCOMES)[number];

interface BulkStartResult {
  opportunityId: string;
  outcome: BulkOutcome;
  executionId?: string;
  /** The execution's current plan, when it has one. */
  planId?: string;
  /** `queued`: a draft plan waits for the plan-generation schedule (generate: true, no plan yet). */
  generation?: 'queued';
  message?: string;
}

/**
 * Starts the workflows of up to 200 opportunities for one user (a Flow's batch, a list view's selection): one
 * `UserRecordAccess` query and one context query for all of them, sent together as one composite request, then each
 * start as the single start does it (followRenewalDate, startWorkflow: one live execution per opportunity and stage,
 * so concurrent bulk starts create each execution once). With `generate`, every started execution without a plan gets
 * a queued draft-plan generation (generateQueuedPlans); nothing is generated inside the request.
 * `opportunityIds` are 18-character ids, each once.
 */
export async function bulkStartWorkflows(
  deps: Deps,
  userId: string,
  opportunityIds: string[],
  opts: { generate: boolean },
): Promise<{ results: BulkStartResult[]; counts: Record<BulkOutcome, number> }> {
  // Started in the same tick: the reads share one composite request (the renewal check only under RENEWAL_CRITERIA's
  // SOQL forms: under its execution fallback, a start is what makes an opportunity a renewal).
  const [editable, contexts, renewals] = await Promise.all([
    deps.salesforce.editable(userId, opportunityIds),
    deps.salesforce.loadContextsFor(userId, opportunityIds),
    deps.salesforce.renewalsAmong(opportunityIds),
  ]);
  const results: BulkStartResult[] = [];
  for (const opportunityId of opportunityIds) {
    const ctx = contexts.get(idKey(opportunityId));
    // The integration user sees every opportunity: one it does not find does not exist (for the user either).
    if (!ctx) results.push({ opportunityId, outcome: 'not_found', message: `Opportunity ${opportunityId} was not found` });
    else if (!editable.has(opportunityId))
      results.push({
        opportunityId,
        outcome: 'forbidden',
        message: `User ${userId} cannot edit opportunity ${opportunityId} in Salesforce`,
      });
    else if (ctx instanceof SalesforceError) results.push({ opportunityId, outcome: 'failed', message: ctx.message });
    else if (!renewals.has(idKey(opportunityId)))
      results.push({ opportunityId, outcome: 'not_renewal', message: `Opportunity ${opportunityId} is not a renewal by RENEWAL_CRITERIA` });
    else {
      try {
        await followRenewalDate(deps, ctx);
        const { execution, created } = await startWorkflow(deps, userId, ctx);
        results.push({ opportunityId, outcome: created ? 'created' : 'already_running', executionId: execution.id });
      } catch (err) {
        deps.log.warn('bulk start: one opportunity did not start', { opportunityId, error: (err as Error).message });
        results.push({ opportunityId, outcome: 'failed', message: (err as Error).message });
      }
    }
  }
  const started = results.filter((r) => r.executionId);
  const plans = await currentPlanIds(
    deps.db.sql,
    started.map((r) => r.executionId!),
  );
  const waiting = opts.generate
    ? await queuePlanGenerations(
        deps.db.sql,
        started.filter((r) => !plans.has(r.executionId!)).map((r) => ({ executionId: r.executionId!, requestedBy: userId })),
        deps.now(),
      )
    : new Set<string>();
  for (const r of started) {
    const planId = plans.get(r.executionId!);
    if (planId) r.planId = planId;
    else if (waiting.has(r.executionId!)) r.generation = 'queued';
  }
  const counts = Object.fromEntries(BULK_OUTCOMES.map((o) => [o, results.filter((r) => r.outcome === o).length])) as Record<
    BulkOutcome,
    number
  >;
  deps.log.info('bulk start', { userId, ...counts, generationsQueued: started.filter((r) => r.generation).length });
  return { results, counts };
}
