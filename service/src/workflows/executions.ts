import { daysBetween } from '../calendar/dates.ts';
import { startExecution, type ExecutionRow } from '../db/executions.ts';
import { currentPlan } from '../db/plans.ts';
import { carriedOverTasks } from '../db/steps.ts';
import { stepsForViewer, viewerAccess } from './viewer-mask.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../domain-errors.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { renewalStageFor, type RenewalStage } from '../stages/stages.ts';
import { initialSteps } from './steps/service.ts';
import type { StepResult } from './steps/types.ts';
import { workflowFor } from './steps/workflows.ts';

/**
 * The opportunity's CRM context, read fresh, as the user the caller acts for may read it (their field-level security
 * applied: loadContextFor); not found is 404. A caller may pass that read already started (so it shares a composite
 * request with the access check).
 */
export async function opportunityContext(
  deps: Deps,
  userId: string,
  opportunityId: string,
  context: Promise<CrmContext | undefined> = deps.salesforce.loadContextFor(userId, opportunityId),
): Promise<CrmContext> {
  const ctx = await context;
  if (!ctx) throw notFound(`Opportunity ${opportunityId}`);
  return ctx;
}

/** Where an opportunity stands: its renewal date, days to renewal and stage. */
export function renewalPosition(ctx: CrmContext, today: string, stages: RenewalStage[]) {
  const daysToRenewal = daysBetween(today, ctx.opportunity.renewalDate);
  return { renewalDate: ctx.opportunity.renewalDate, daysToRenewal, stage: renewalStageFor(daysToRenewal, stages) };
}

/**
 * Starts the workflow of the opportunity's current stage, or returns the one already started. The caller has read
 * `ctx` fresh and followed its renewal date (renewal-date.ts).
 */
export async function startWorkflow(deps: Deps, userId: string, ctx: CrmContext) {
  const { renewalDate, daysToRenewal, stage } = renewalPosition(ctx, deps.today(), deps.stages);
  const result = await startExecution(deps.db.sql, {
    opportunityId: ctx.opportunity.id,
    accountId: ctx.account.id,
    opportunityName: ctx.opportunity.name,
    accountName: ctx.account.name,
    stage: stage.id,
    urgency: stage.urgency,
    renewalDate,
    daysToRenewal,
    steps: initialSteps(stage.id, deps.workflows),
    startedBy: userId,
    csmUserId: ctx.owner.id,
  });
  return result;
}

/** The execution as the API returns it. */
export async function executionView(deps: Deps, e: ExecutionRow, viewerId: string) {
  const [plan, carried, viewer] = await Promise.all([
    currentPlan(deps.db.sql, e.id),
    carriedOverTasks(deps.db.sql, e),
    viewerAccess(deps, viewerId),
  ]);
  // The stage the renewal date puts the opportunity in today: when it differs, the CSM is told (the renewal date
  // moved, or time passed) and should start that stage's workflow.
  const daysNow = daysBetween(deps.today(), e.renewalDate);
  const stageNow = renewalStageFor(daysNow, deps.stages).id;
  const current = e.status === 'in_progress' ? e.steps.find((s) => s.status === 'pending') : undefined;
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
    workflowName: workflowFor(e.stage, deps.workflows).name,
    // Step analyses as made for whoever ran them: masked for a viewer who reads fewer fields (viewer-mask.ts).
    steps: await stepsForViewer(
      deps,
      viewer,
      e.opportunityId,
      e.steps.map((s) => ({
        id: s.id,
        name: s.name,
        type: s.type,
        status: s.status,
        needsInput: s.needsInput ?? false,
        input: s.input ?? null,
        result: (s.result ?? null) as StepResult | null,
        skipReason: s.skipReason ?? null,
      })),
    ),
    currentStepId: current?.id ?? null,
    stageChange:
      stageNow === e.stage
        ? null
        : {
            stage: stageNow,
            daysToRenewal: daysNow,
            renewalDate: e.renewalDate,
            message: `The renewal date (${e.renewalDate}) now puts this opportunity in ${stageNow}, not ${e.stage}`,
          },
    carriedOverTasks: carried,
    currentPlanId: plan?.id ?? null,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
