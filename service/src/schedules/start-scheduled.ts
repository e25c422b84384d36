import { carriedOverTasks } from '../db/steps.ts';
import { cancelScheduledWorkflow, getScheduledWorkflow, markScheduledStarted } from '../db/scheduled-workflows.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../domain-errors.ts';
import { idKey } from '../salesforce/ids.ts';
import { opportunityContext, startWorkflow } from '../workflows/executions.ts';
import { followRenewalDate } from '../workflows/renewal-date.ts';

/**
 * Starts a scheduled next-stage workflow (what the schedule cron calls when its date comes). The stage is the one
 * the renewal date gives today, so a moved date starts the right stage. The previous stages' open tasks stay
 * visible in the new execution (`carriedOver`, and its carried-over tasks step). Idempotent: starting twice
 * returns the same execution. An opportunity that is no longer a renewal (RENEWAL_CRITERIA) is not started: its
 * schedule is cancelled and `notRenewal` is true.
 *
 * @example const { execution, carriedOver } = await startScheduledWorkflow(deps, scheduledWorkflowId);
 */
export async function startScheduledWorkflow(deps: Deps, scheduledWorkflowId: string) {
  const scheduled = await getScheduledWorkflow(deps.db.sql, scheduledWorkflowId);
  if (!scheduled) throw notFound(`Scheduled workflow ${scheduledWorkflowId}`);
  // It acts for the execution's CSM (the opportunity's owner, else who started it): their field access applies.
  // An opportunity no longer a renewal by RENEWAL_CRITERIA (retagged since) gets no next stage: the schedule is cancelled.
  const [ctx, renewals] = await Promise.all([
    opportunityContext(deps, scheduled.csmUserId, scheduled.opportunityId),
    deps.salesforce.renewalsAmong([scheduled.opportunityId]),
  ]);
  if (!renewals.has(idKey(scheduled.opportunityId))) {
    await cancelScheduledWorkflow(deps.db.sql, scheduled.id);
    return { notRenewal: true as const, scheduledStage: scheduled.stage };
  }
  await followRenewalDate(deps, ctx);
  const { execution, created } = await startWorkflow(deps, scheduled.csmUserId, ctx);
  await markScheduledStarted(deps.db.sql, scheduled.id, execution.id);
  const carriedOver = await carriedOverTasks(deps.db.sql, execution);
  return { notRenewal: false as const, execution, created, carriedOver, scheduledStage: scheduled.stage };
}
