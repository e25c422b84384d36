import { finalizePlan } from '../db/finalize.ts';
import type { ExecutionRow } from '../db/executions.ts';
import { currentPlan, planContext } from '../db/plans.ts';
import type { Deps } from '../deps.ts';
import { conflict, invalidInput, notFound } from '../domain-errors.ts';
import { needsApproval } from '../plan/approval.ts';
import type { IsoDate } from '../calendar/dates.ts';
import type { ActionPlanContent } from '../plan/schema.ts';
import { missingPrerequisites } from '../plan/dependencies.ts';
import { assigneesOfPlan } from '../team/assignee.ts';
import { validatePlan } from '../plan/validate.ts';
import { mirrorBackoff, mirrorPendingTasks } from '../sync/mirror/mirror.ts';
import { sendSalesforceNotifications } from '../sync/salesforce-notifications.ts';
import { planningInput } from './generate-plan.ts';
import { currentTraceParent } from '../tracing.ts';

/** One CSM edit of a draft task at finalize. */
interface PlanEdit {
  key: string;
  include?: boolean;
  action?: string;
  description?: string;
  priority?: number;
  dueDate?: IsoDate;
}

/** What the CSM sends to finalize: the draft they reviewed (so a newer one is not finalized unseen) and their edits. */
interface FinalizeRequest {
  planId?: string;
  edits?: PlanEdit[];
}

/**
 * Applies the CSM's edits (untick, tick, retitle, reprioritise, re-date) to a draft; unknown keys are a 400 naming the
 * edit. Tasks in `unticked` (field writes awaiting approval) are dropped unless an edit includes them explicitly.
 * Removing a task another kept task waits for is a 400 naming both.
 */
function applyEdits(content: ActionPlanContent, edits: PlanEdit[] = [], unticked: ReadonlySet<string> = new Set()): ActionPlanContent {
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
  // A task kept while what it waits for is removed would wait for nothing that exists: the CSM decides (tick both or neither).
  const waiting = missingPrerequisites(next).filter((w) => w.missing.some((k) => drop.has(k)));
  if (waiting.length) {
    const action = (k: string) => [...content.aiTasks, ...content.csmTasks].find((t) => t.key === k)?.action ?? k;
    const issues = waiting.flatMap((w) =>
      w.missing
        .filter((k) => drop.has(k))
        .map((k) => {
          const i = edits.findIndex((e) => e.key === k);
          return {
            path: i >= 0 ? `body.edits.${i}.include` : 'body.edits',
            message: `${k} "${action(k)}" is removed, but ${w.key} "${action(w.key)}" waits for it; remove ${w.key} too or keep ${k}`,
          };
        }),
    );
    throw invalidInput(`A task that others wait for cannot be removed: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  return next;
}

/**
 * Finalizes the current draft with the CSM's edits: validated again, then one transaction, then the
 * Salesforce mirror (whose failure leaves the tasks pending for the next sweep, never lost).
 */
export async function finalize(deps: Deps, userId: string, execution: ExecutionRow, body: FinalizeRequest) {
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
      assignees: assigneesOfPlan(checked.content, context, deps.env.TEAM_ROLES),
      today: deps.today(),
      traceParent: currentTraceParent(),
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
