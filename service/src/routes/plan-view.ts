import type { PlanViewExecution } from '../read-model/executions.ts';
import { planContext, type PlanRow } from '../read-model/plans.ts';
import { taskStatesOfPlan, unfinished, type TaskState } from '../read-model/tasks.ts';
import type { Deps } from '../deps.ts';
import { needsApproval, suggestedFromCrmText } from '../plan/approval.ts';
import type { LlmGeneration } from '../plan/llm-planner.ts';
import { timelineNow } from '../plan/timeline-status.ts';
import { mirrorStanding } from '../sync/mirror/standing.ts';
import type { WithheldInput } from '../salesforce/context.ts';
import { withheldMessage } from '../salesforce/withheld.ts';
import { assigneesOfPlan, type Assignee } from '../team/assignee.ts';

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
    withheld: ((plan.generation.withheld as WithheldInput[] | undefined) ?? []).map((w) => ({ ...w, message: withheldMessage(w) })),
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

const draftAssignees = new WeakMap<PlanRow, Promise<Record<string, Assignee>>>();

/**
 * Who will own each task of a draft (the approval gate shows it before finalize): its role resolved against the teams
 * of the CRM context the draft was generated from, as finalize will resolve it. Once per cached draft.
 */
function assigneesOfDraft(deps: Deps, plan: PlanRow): Promise<Record<string, Assignee>> {
  let found = draftAssignees.get(plan);
  if (!found) {
    found = planContext(deps.db.sql, plan.id).then((ctx) => assigneesOfPlan(plan.content, ctx, deps.env.TEAM_ROLES));
    draftAssignees.set(plan, found);
  }
  return found;
}

const assigneeView = (a: Assignee | TaskState['assignee'] | undefined) =>
  a ? { id: a.id, name: a.name, role: a.role, source: a.source ?? 'owner-fallback', note: a.note } : null;

/** The plan with every task's live state (after finalize) and the change each AI task will make. */
export async function planView(deps: Deps, plan: PlanRow, execution: PlanViewExecution, states?: TaskState[]) {
  const rows = states ?? (plan.status === 'finalized' ? await taskStatesOfPlan(deps.db.sql, plan.id) : []);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const drafted = plan.status === 'draft' ? await assigneesOfDraft(deps, plan) : {};
  const ownerOf = (key: string) => assigneeView(byKey.get(key)?.assignee ?? drafted[key]);
  // What a task waits for that is not done yet (live after finalize; in a draft, all but carried work already done).
  const tasksByKey = new Map<string, { action: string; owner: 'AI' | 'CSM' }>([
    ...plan.content.aiTasks.map((t) => [t.key, { action: t.action, owner: 'AI' as const }] as const),
    ...plan.content.csmTasks.map((t) => [t.key, { action: t.action, owner: 'CSM' as const }] as const),
  ]);
  const statusOf = (key: string) =>
    byKey.get(key)?.status ?? (plan.carried?.[key]?.done ? 'completed' : (plan.carried?.[key]?.status ?? 'pending'));
  const blockedBy = (dependsOn: string[]) =>
    dependsOn
      .map((key) => ({
        key,
        action: tasksByKey.get(key)?.action ?? key,
        owner: tasksByKey.get(key)?.owner ?? 'CSM',
        status: statusOf(key),
      }))
      .filter((b) => unfinished(b.status));
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
      blockedBy: blockedBy(t.dependsOn),
      assignee: ownerOf(t.key),
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
      blockedBy: blockedBy(t.dependsOn),
      assignee: ownerOf(t.key),
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
  // What was added after finalize (a monitoring task, an engagement rule's follow-up or proposal), with why.
  const planned = new Set([...plan.content.aiTasks, ...plan.content.csmTasks.flatMap((t) => [t, ...t.subTasks])].map((t) => t.key));
  // Soonest due first, then by key: a stable order (the rows come in no order of their own).
  const addedTasks = rows
    .filter((r) => !planned.has(r.key))
    .sort((a, b) => (a.dueDate ?? '9999-12-31').localeCompare(b.dueDate ?? '9999-12-31') || a.key.localeCompare(b.key))
    .map((r) => ({
      taskId: r.id,
      key: r.key,
      owner: r.owner,
      action: r.action,
      processor: r.processor,
      status: r.status,
      dueDate: r.dueDate,
      executionStatus: r.executionStatus,
      explanation: r.explanation,
      awaitingApproval: r.awaitingApproval,
      salesforceTaskId: r.salesforceTaskId,
    }));
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
    withheld: fixed.withheld,
    aiTasks,
    csmTasks,
    timeline: timelineNow(plan.content.timeline, timelineTasks, deps.today()),
    addedTasks,
    nextWorkflow: plan.content.nextWorkflow,
    mirror,
  };
}
