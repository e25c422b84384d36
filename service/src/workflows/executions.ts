import { daysBetween } from '../calendar/dates.ts';
import { startExecution, type ExecutionRow, type ExecutionStep } from '../db/executions.ts';
import { currentPlan } from '../db/plans.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../http-errors.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { renewalStageFor } from '../stages/stages.ts';

/** The steps of a stage workflow. Every workflow ends in the action plan step. */
export function stepsFor(_stage: string): ExecutionStep[] {
  return [{ id: 'action-plan', name: 'Action Plan', type: 'planning', status: 'pending' }];
}

/** Where an opportunity stands: its renewal date, days to renewal and stage. */
export function renewalPosition(ctx: CrmContext, today: string) {
  const daysToRenewal = daysBetween(today, ctx.opportunity.renewalDate);
  return { renewalDate: ctx.opportunity.renewalDate, daysToRenewal, stage: renewalStageFor(daysToRenewal) };
}

/** Starts the workflow of the opportunity's current stage, or returns the one already started. */
export async function startWorkflow(deps: Deps, userId: string, opportunityId: string) {
  const ctx = await deps.salesforce.loadContext(opportunityId);
  if (!ctx) throw notFound(`Opportunity ${opportunityId}`);
  const { renewalDate, daysToRenewal, stage } = renewalPosition(ctx, deps.today());
  const result = await startExecution(deps.db.sql, {
    opportunityId: ctx.opportunity.id,
    accountId: ctx.account.id,
    opportunityName: ctx.opportunity.name,
    accountName: ctx.account.name,
    stage: stage.id,
    urgency: stage.urgency,
    renewalDate,
    daysToRenewal,
    steps: stepsFor(stage.id),
    startedBy: userId,
    csmUserId: ctx.owner.id,
  });
  return result;
}

/** The execution as the API returns it. */
export async function executionView(deps: Deps, e: ExecutionRow) {
  const plan = await currentPlan(deps.db.sql, e.id);
  return {
    id: e.id,
    opportunityId: e.opportunityId,
    opportunityName: e.opportunityName,
    accountName: e.accountName,
    stage: e.stage,
    urgency: e.urgency,
    daysToRenewal: e.daysToRenewal,
    renewalDate: e.renewalDate,
    status: e.status,
    steps: e.steps,
    currentPlanId: plan?.id ?? null,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
