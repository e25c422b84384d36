import type { ExecutionRow } from '../db/executions.ts';
import { currentPlan, finalizedPlan, insertDraftPlan, planContext, type PlanRow } from '../db/plans.ts';
import { tasksOfFinalizedPlan } from '../db/replan.ts';
import type { Deps } from '../deps.ts';
import { conflict, notFound } from '../domain-errors.ts';
import { carryOver, csmEditsOf, type CarriedTask } from '../plan/carry-over.ts';
import { describeChange, fieldChanges } from '../plan/change-preview.ts';
import { diffPlans, redateKeptTasks, type CsmEdit, type PlanDiff } from '../plan/diff.ts';
import { generateWithFallback, InvalidPlaybookPlan, type GeneratedPlan } from '../plan/generate.ts';
import { generationDeadline } from '../plan/model-client.ts';
import type { PlanningInput } from '../plan/planner.ts';
import { validatePlan } from '../plan/validate.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { redactSecretsIn } from '../secrets.ts';
import { stageById, StageId } from '../stages/stages.ts';
import { renewalPosition } from './executions.ts';
import { requireGenerationAllowed, type GenerationBudget } from './generation-limits.ts';
import { followRenewalDate } from './renewal-date.ts';
import { planningSteps } from './steps/planning.ts';
import { runAutomaticSteps } from './steps/service.ts';

/** What the planner, validation and finalize plan against: the context, the stage and its window, the steps. */
export function planningInput(deps: Deps, execution: ExecutionRow, context: CrmContext): PlanningInput {
  const { daysToRenewal } = renewalPosition(context, deps.today(), deps.stages);
  return {
    context,
    stage: stageById(StageId.parse(execution.stage), deps.stages),
    today: deps.today(),
    daysToRenewal,
    calendar: deps.calendar,
    maxTasks: deps.env.PLAN_MAX_TASKS,
    steps: planningSteps(execution.steps),
    teamRoles: Object.keys(deps.env.TEAM_ROLES),
  };
}

/** Generates a new draft version of the execution's plan from fresh CRM context. */
export async function generatePlan(
  deps: Deps,
  userId: string,
  execution: ExecutionRow,
  budget: GenerationBudget = 'click',
): Promise<PlanRow> {
  await requireGenerationAllowed(deps, userId, execution.id, budget);
  // One deadline for everything a model does in this generate; past it the playbook plans and nothing waits on the model.
  const signal = generationDeadline(deps.env.GENERATION_DEADLINE_SECONDS * 1000);
  // The context as the user may read it: what their field-level security hides reaches neither the steps, the planner
  // (nor the model), nor the stored evidence; the plan lists it as withheld.
  const context = await deps.salesforce.loadContextFor(userId, execution.opportunityId);
  if (!context) throw notFound(`Opportunity ${execution.opportunityId}`);
  // The steps that need no CSM input run first, on the same CRM data; steps still waiting stay not done.
  if (execution.status === 'in_progress') await followRenewalDate(deps, context);
  execution = await runAutomaticSteps(deps, execution, context, signal);
  const input = planningInput(deps, execution, context);
  const generated = await generateWithFallback(deps.planner, input, {
    signal,
    onFallback: (reason) => deps.log.warn('LLM planner failed; the playbook wrote the plan', { executionId: execution.id, reason }),
  }).catch((err: Error) => {
    if (!(err instanceof InvalidPlaybookPlan)) throw err;
    deps.log.error('planner produced an invalid plan', { planner: 'playbook', errors: err.errors });
    throw err;
  });
  const { content, diff, generation, carried, basedOn } = await replan(deps, execution, input, generated);
  const plan = await insertDraftPlan(deps.db.sql, {
    executionId: execution.id,
    planner: generated.planner,
    // The note and the record can quote the model endpoint's answer (an error naming the key it refused).
    plannerNote: redactSecretsIn(generated.plannerNote),
    content,
    context,
    changes: Object.fromEntries(content.aiTasks.map((t) => [t.key, describeChange(t, context)])),
    changeDetails: Object.fromEntries(content.aiTasks.map((t) => [t.key, fieldChanges(t, context)])),
    diff,
    carried,
    // What the CSM's field-level security withheld from this version's inputs: the plan view says so.
    generation: redactSecretsIn({ ...generation, withheld: context.withheld ?? [] }),
    createdBy: userId,
    basedOn,
    keepDrafts: deps.env.PLAN_DRAFT_VERSIONS_KEPT,
  });
  if (!plan) throw conflict('The action plan was finalized while this version was being generated; generate again to plan against it');
  return plan;
}

/**
 * A regenerated plan against the version it replaces: when the renewal date moved, the tasks it keeps are re-dated by
 * the business days of the move (and validated again, so the window still holds); the diff lists what changed.
 * Against a finalized version, the CSM's work carries over (see carryOver): done tasks stay done, edits stay, and
 * the diff is against the tasks as they stand.
 */
async function replan(deps: Deps, execution: ExecutionRow, input: PlanningInput, generated: GeneratedPlan) {
  const finalized = await finalizedPlan(deps.db.sql, execution.id);
  const previous = finalized ?? (await currentPlan(deps.db.sql, execution.id));
  const basedOn = finalized?.id ?? null;
  if (!previous || previous.status === 'superseded')
    return { content: generated.content, diff: null, generation: generated.generation, carried: {}, basedOn };
  const before = (await planContext(deps.db.sql, previous.id)).opportunity.renewalDate;
  const after = input.context.opportunity.renewalDate;
  const shift = deps.calendar.businessDaysBetween(before, after);
  let { content, generation } = generated;
  let carried: Record<string, CarriedTask> = {};
  let standing = previous.content;
  let csmEdits: CsmEdit[] | null = null;
  if (finalized) {
    const rows = await tasksOfFinalizedPlan(deps.db.sql, finalized.id);
    const edits = csmEditsOf(finalized.finalizeEdits, finalized.carried, rows);
    csmEdits = edits;
    const out = carryOver({ version: finalized.version, content: finalized.content, edits }, rows, content, shift, deps.calendar);
    carried = out.carried;
    standing = out.standing;
    // The CSM's dates may sit outside the new window; validation moves them (and says so), as it would the planner's.
    const checked = validatePlan(out.content, input, { trimOverCap: true });
    if (checked.content) {
      content = checked.content;
      generation = { ...generation, validationFixes: [...((generation.validationFixes as string[]) ?? []), ...checked.fixes] };
    } else {
      content = out.content;
      deps.log.warn('carried-over plan failed validation; finalize will ask the CSM to fix it', {
        executionId: execution.id,
        errors: checked.errors,
      });
    }
  } else if (shift !== 0) {
    const checked = validatePlan(redateKeptTasks(previous.content, content, shift, deps.calendar), input, { trimOverCap: true });
    // Re-dating can only move dates, which validation fixes; should it ever fail, the planner's own dates stand.
    if (checked.content) {
      content = checked.content;
      generation = { ...generation, validationFixes: [...((generation.validationFixes as string[]) ?? []), ...checked.fixes] };
    }
  }
  const pairs = diffPlans(standing, content, csmEdits);
  if (finalized) {
    // A done task paired only by key with another task is not carried: for the CSM that is one removed, one added.
    const before = new Map([...standing.aiTasks, ...standing.csmTasks].map((t) => [t.key, t.action]));
    for (const c of pairs.changed.filter((x) => !carried[x.key])) {
      pairs.removed.push({ key: c.previousKey, owner: c.owner, action: before.get(c.previousKey) ?? c.action });
      pairs.added.push({ key: c.key, owner: c.owner, action: c.action });
    }
    pairs.changed = pairs.changed.filter((x) => carried[x.key]);
  }
  const diff: PlanDiff = {
    previousVersion: previous.version,
    ...pairs,
    renewalDateMoved: shift === 0 && before === after ? null : { from: before, to: after, businessDays: shift },
  };
  return { content, diff, generation, carried, basedOn };
}
