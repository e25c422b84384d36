import { z } from 'zod';
import { finalizePlan } from '../db/finalize.ts';
import type { ExecutionRow, PlanViewExecution } from '../db/executions.ts';
import { currentPlan, finalizedPlan, insertDraftPlan, planContext, type PlanRow } from '../db/plans.ts';
import { tasksOfFinalizedPlan } from '../db/replan.ts';
import { taskStatesOfPlan, type TaskState } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';
import { followRenewalDate } from './renewal-date.ts';
import { conflict, invalidInput, notFound } from '../domain-errors.ts';
import { needsApproval, suggestedFromCrmText } from '../plan/approval.ts';
import { describeChange, fieldChanges } from '../plan/change-preview.ts';
import type { PlanningInput } from '../plan/planner.ts';
import { ActionPlanContent, IsoDate, Priority, TaskKey } from '../plan/schema.ts';
import { carryOver, csmEditsOf, type CarriedTask } from '../plan/carry-over.ts';
import { diffPlans, redateKeptTasks, type CsmEdit, type PlanDiff } from '../plan/diff.ts';
import type { LlmGeneration } from '../plan/llm-planner.ts';
import { generationDeadline } from '../plan/model-client.ts';
import { generateWithFallback, InvalidPlaybookPlan, type GeneratedPlan } from '../plan/generate.ts';
import { timelineNow } from '../plan/timeline-status.ts';
import { validatePlan } from '../plan/validate.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { redactSecretsIn } from '../secrets.ts';
import { stageById, StageId } from '../stages/stages.ts';
import { requireGenerationAllowed } from './generation-limits.ts';
import { mirrorBackoff, mirrorPendingTasks } from '../sync/mirror.ts';
import { mirrorStanding } from '../sync/mirror-standing.ts';
import { sendSalesforceNotifications } from '../sync/salesforce-notifications.ts';
import { renewalPosition } from './executions.ts';
import { planningSteps } from './steps/planning.ts';
import { runAutomaticSteps } from './steps/service.ts';

function planningInput(deps: Deps, execution: ExecutionRow, context: CrmContext): PlanningInput {
  const { daysToRenewal } = renewalPosition(context, deps.today());
  return {
    context,
    stage: stageById(StageId.parse(execution.stage)),
    today: deps.today(),
    daysToRenewal,
    calendar: deps.calendar,
    maxTasks: deps.env.PLAN_MAX_TASKS,
    steps: planningSteps(execution.steps),
  };
}

/** Generates a new draft version of the execution's plan from fresh CRM context. */
export async function generatePlan(deps: Deps, userId: string, execution: ExecutionRow): Promise<PlanRow> {
  await requireGenerationAllowed(deps, userId, execution.id);
  // One deadline for everything a model does in this generate; past it the playbook plans and nothing waits on the model.
  const signal = generationDeadline(deps.env.GENERATION_DEADLINE_SECONDS * 1000);
  const context = await deps.salesforce.loadContext(execution.opportunityId);
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
    generation: redactSecretsIn(generation),
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

/** What a task of a re-plan carries over from the finalized version (as it stood when the re-plan was generated). */
function carriedView(plan: PlanRow, key: string) {
  const c = plan.carried?.[key];
  if (!c) return null;
  return {
    fromTaskId: c.fromTaskId,
    fromKey: c.fromKey,
    fromVersion: c.fromVersion,
    status: c.status,
    executionStatus: c.executionStatus,
    done: c.done,
    csmEdited: c.csmEdited,
  };
}

type StaticView = ReturnType<typeof staticPlanView>;
const staticViews = new WeakMap<PlanRow, StaticView>();

/** The parts of a plan's view that never change for one plan version (computed once per cached version). */
function staticPlanView(plan: PlanRow) {
  return {
    fixes: (plan.generation.validationFixes as string[] | undefined) ?? [],
    aiTasks: plan.content.aiTasks.map((t) => {
      // A draft's field writes proposed by the model start unticked: they run only if the CSM ticks them.
      const approval = plan.status === 'draft' && !plan.carried?.[t.key] && needsApproval(t, plan.planner);
      return {
        ...t,
        change: plan.changes[t.key] ?? null,
        fieldChanges: plan.changeDetails?.[t.key] ?? [],
        included: !approval,
        needsApproval: approval,
        suggestedFromCrmText: suggestedFromCrmText(t),
      };
    }),
    generation: generationView(plan.generation),
  };
}

/** The record of generation as the CSM sees it: who wrote the plan, with what, and what was fixed or rejected. */
function generationView(g: Record<string, unknown>) {
  const llm = (g.planner === 'llm' ? g : g.llm) as Partial<LlmGeneration> | null | undefined;
  return {
    planner: (g.planner as 'playbook' | 'llm' | undefined) ?? null,
    model: llm?.model ?? null,
    profile: llm?.profile ?? null,
    promptTokens: llm?.promptTokens ?? null,
    completionTokens: llm?.completionTokens ?? null,
    latencyMs: (g.latencyMs as number | undefined) ?? null,
    modelCalls: llm?.calls ?? 0,
    rejections: llm?.rejections ?? [],
    fallbackReason: (g.fallbackReason as string | undefined) ?? null,
    finishReason: llm?.finishReason ?? null,
    providerError: llm?.providerError ?? null,
  };
}

/** The plan with every task's live state (after finalize) and the change each AI task will make. */
export async function planView(deps: Deps, plan: PlanRow, execution: PlanViewExecution, states?: TaskState[]) {
  const rows = states ?? (plan.status === 'finalized' ? await taskStatesOfPlan(deps.db.sql, plan.id) : []);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  let fixed = staticViews.get(plan);
  if (!fixed) staticViews.set(plan, (fixed = staticPlanView(plan)));
  const actions = new Map([...plan.content.aiTasks, ...plan.content.csmTasks].map((t) => [t.key, t.action]));
  const mirrorRows = rows.map((r) => ({ ...r, action: actions.get(r.key) ?? r.key }));
  const mirror = mirrorStanding(mirrorRows, deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000);
  const aiTasks = fixed.aiTasks.map((t) => {
    const row = byKey.get(t.key);
    const carried = carriedView(plan, t.key);
    return {
      ...t,
      taskId: row?.id ?? null,
      // A draft shows an AI task it carries that already ran as done: it will not run again.
      executionStatus: row?.executionStatus ?? (carried?.executionStatus === 'success' ? 'success' : null),
      carried,
      executionResult: row?.executionResult ?? null,
      executedAt: row?.executedAt ?? null,
      salesforceTaskId: row?.salesforceTaskId ?? null,
    };
  });
  const csmTasks = plan.content.csmTasks.map((t) => {
    const row = byKey.get(t.key);
    const carried = carriedView(plan, t.key);
    return {
      ...t,
      dueDate: row?.dueDate ?? t.dueDate,
      taskId: row?.id ?? null,
      status: row?.status ?? carried?.status ?? 'pending',
      snoozedUntil: row?.snoozedUntil ?? null,
      salesforceTaskId: row?.salesforceTaskId ?? null,
      carried,
      subTasks: t.subTasks.map((s) => {
        const sub = byKey.get(s.key);
        const subCarried = carriedView(plan, s.key);
        return {
          key: s.key,
          action: s.action,
          taskId: sub?.id ?? null,
          status: sub?.status ?? subCarried?.status ?? 'pending',
          carried: subCarried,
        };
      }),
    };
  });
  const timelineTasks = [...aiTasks.map((t) => ({ ...t, status: t.executionStatus === 'success' ? 'completed' : 'pending' })), ...csmTasks];
  return {
    id: plan.id,
    executionId: plan.executionId,
    version: plan.version,
    status: plan.status,
    planner: plan.planner,
    plannerNote: plan.plannerNote,
    stage: execution.stage,
    urgency: execution.urgency,
    daysToRenewal: execution.daysToRenewal,
    renewalDate: execution.renewalDate,
    opportunityId: execution.opportunityId,
    createdAt: plan.createdAt,
    finalizedAt: plan.finalizedAt,
    fixes: fixed.fixes,
    generation: fixed.generation,
    diff: plan.diff ?? null,
    summary: plan.content.summary,
    aiTasks,
    csmTasks,
    timeline: timelineNow(plan.content.timeline, timelineTasks, deps.today()),
    nextWorkflow: plan.content.nextWorkflow,
    mirror,
  };
}

export const TaskEdit = z
  .object({
    key: TaskKey,
    include: z.boolean().optional(),
    action: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    priority: Priority.optional(),
    dueDate: IsoDate.optional(),
  })
  .strict();
export const FinalizeBody = z
  .object({
    planId: z.uuid().optional(),
    edits: z.array(TaskEdit).max(100).optional(),
  })
  .strict();
export type FinalizeBody = z.infer<typeof FinalizeBody>;

/**
 * Applies the CSM's edits (untick, tick, retitle, reprioritise, re-date) to a draft; unknown keys are a 400 naming the
 * edit. Tasks in `unticked` (field writes awaiting approval) are dropped unless an edit includes them explicitly.
 */
export function applyEdits(
  content: ActionPlanContent,
  edits: FinalizeBody['edits'] = [],
  unticked: ReadonlySet<string> = new Set(),
): ActionPlanContent {
  const next = structuredClone(content);
  edits.forEach((e, i) => {
    const ai = next.aiTasks.find((t) => t.key === e.key);
    const csm = next.csmTasks.find((t) => t.key === e.key);
    const task = ai ?? csm;
    if (!task)
      throw invalidInput(`edits.${i}.key: no task ${e.key} in this plan`, [
        { path: `body.edits.${i}.key`, message: `no task ${e.key} in this plan` },
      ]);
    if (e.dueDate !== undefined && !csm)
      throw invalidInput(`edits.${i}.dueDate: only CSM tasks have due dates`, [
        { path: `body.edits.${i}.dueDate`, message: 'only CSM tasks have due dates' },
      ]);
    if (e.action !== undefined) task.action = e.action;
    if (e.description !== undefined) task.description = e.description;
    if (e.priority !== undefined) task.priority = e.priority;
    if (csm && e.dueDate !== undefined) csm.dueDate = e.dueDate;
  });
  const approved = new Set(edits.filter((e) => e.include === true).map((e) => e.key));
  const drop = new Set([...edits.filter((e) => e.include === false).map((e) => e.key), ...[...unticked].filter((k) => !approved.has(k))]);
  next.aiTasks = next.aiTasks.filter((t) => !drop.has(t.key));
  next.csmTasks = next.csmTasks.filter((t) => !drop.has(t.key));
  return next;
}

/**
 * Finalizes the current draft with the CSM's edits: validated again, then one transaction, then the
 * Salesforce mirror (whose failure leaves the tasks pending for the next sweep, never lost).
 */
export async function finalize(deps: Deps, userId: string, execution: ExecutionRow, body: FinalizeBody) {
  const plan = await currentPlan(deps.db.sql, execution.id);
  if (!plan) throw notFound(`An action plan for execution ${execution.id}`);
  if (body.planId && body.planId !== plan.id) {
    if (plan.status === 'finalized') throw conflict(`Plan ${plan.id} is already finalized; ${body.planId} cannot be finalized too`);
    throw conflict(`Plan ${body.planId} is not the current draft (the current version is ${plan.version}); reload and review it`);
  }
  if (plan.status !== 'finalized') {
    const unticked = new Set(
      plan.content.aiTasks.filter((t) => !plan.carried?.[t.key] && needsApproval(t, plan.planner)).map((t) => t.key),
    );
    const edited = applyEdits(plan.content, body.edits, unticked);
    const context = await planContext(deps.db.sql, plan.id);
    const checked = validatePlan(edited, planningInput(deps, execution, context));
    if (!checked.content)
      throw invalidInput(
        `The edited plan is not valid: ${checked.errors.join('; ')}`,
        checked.errors.map((m) => ({ path: 'body.edits', message: m })),
      );
    const outcome = await finalizePlan(deps.db.sql, {
      planId: plan.id,
      executionId: execution.id,
      userId,
      content: checked.content,
      // A retitled task keeps the planner's action beside the CSM's, so a later re-plan proposing it again pairs with it.
      edits:
        body.edits?.map((e) =>
          e.action === undefined
            ? e
            : { ...e, plannedAction: [...plan.content.aiTasks, ...plan.content.csmTasks].find((t) => t.key === e.key)?.action },
        ) ?? null,
      opportunityId: execution.opportunityId,
      csmUserId: context.owner.id,
      today: deps.today(),
    });
    if (outcome.kind === 'not-found') throw notFound(`Plan ${plan.id}`);
    if (outcome.kind === 'superseded') throw conflict(`Plan ${plan.id} was replaced by a newer version; reload and review it`);
    // The replaced version's cancelled tasks go to Salesforce as Deferred (the sweep retries them if this fails).
    if (outcome.kind === 'finalized' && outcome.replaced)
      await mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, { planId: outcome.replaced.planId }, mirrorBackoff(deps.env)).catch(
        (err: Error) => deps.log.warn('salesforce mirror deferred', { planId: outcome.replaced!.planId, error: err.message }),
      );
  }
  await mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, { planId: plan.id }, mirrorBackoff(deps.env)).catch((err: Error) =>
    deps.log.warn('salesforce mirror deferred', { planId: plan.id, error: err.message }),
  );
  // The owner hears in Salesforce when someone else finalized their plan (and of any Task Salesforce rejected).
  await sendSalesforceNotifications(deps).catch((err: Error) => deps.log.warn('salesforce notifications deferred', { error: err.message }));
  return (await currentPlan(deps.db.sql, execution.id))!;
}
