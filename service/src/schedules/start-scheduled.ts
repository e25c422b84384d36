import { carriedOverTasks } from '../db/steps.ts';
import { getScheduledWorkflow, markScheduledStarted } from '../db/scheduled-workflows.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../domain-errors.ts';
import { opportunityContext, startWorkflow } from '../workflows/executions.ts';
import { followRenewalDate } from '../workflows/renewal-date.ts';

/**
 * Starts a scheduled next-stage workflow (what the schedule cron calls when its date comes). The stage is the one
 * the renewal date gives today, so a moved date starts the right stage. The previous stages' open tasks stay
 * visible in the new execution (`carriedOver`, and its carried-over tasks step). Idempotent: starting twice
 * returns the same execution.
 *
 * @example const { execution, carriedOver } = await startScheduledWorkflow(deps, scheduledWorkflowId);
 */
export async function startScheduledWorkflow(deps: Deps, scheduledWorkflowId: string) {
  const scheduled = await getScheduledWorkflow(deps.db.sql, scheduledWorkflowId);
  if (!scheduled) throw notFound(`Scheduled workflow ${scheduledWorkflowId}`);
  // It acts for the execution's CSM (the opportunity's owner, else who started it): their field access applies.
  const ctx = await opportunityContext(deps, scheduled.csmUserId, scheduled.opportunityId);
  await followRenewalDate(deps, ctx);
  const { execution, created } = await startWorkflow(deps, scheduled.csmUserId, ctx);
  await markScheduledStarted(deps.db.sql, scheduled.id, execution.id);
  const carriedOver = await carriedOverTasks(deps.db.sql, execution);
  return { execution, created, carriedOver, scheduledStage: scheduled.stage };
}
