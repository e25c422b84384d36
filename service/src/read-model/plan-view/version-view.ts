import type { z } from 'zod';
import { planContext, type PlanRow } from '../../db/plans.ts';
import type { Deps } from '../../deps.ts';
import { needsApproval, suggestedFromCrmText } from '../../plan/approval.ts';
import type { LlmGeneration } from '../../plan/llm-planner.ts';
import type { AiTask, CsmTask } from '../../plan/schema.ts';
import type { PlanView } from '../../routes/views.ts';
import type { WithheldInput } from '../../salesforce/context.ts';
import { withheldMessage } from '../../salesforce/withheld.ts';
import { assigneesOfPlan, type Assignee } from '../../team/assignee.ts';

type View = z.infer<typeof PlanView>;
type AiTaskView = View['aiTasks'][number];
type CsmTaskView = View['csmTasks'][number];
type Carried = NonNullable<AiTaskView['carried']>;

/** The members of a JSON object, without its braces: `members({ a: 1, b: 2 })` is `"a":1,"b":2`. */
export const members = (part: object) => JSON.stringify(part).slice(1, -1);

/**
 * Everything of a plan's view that is fixed for one plan version, rendered once: a version's row never changes (a
 * draft's content is rewritten only by finalize, which makes it another `(id, status)`; a re-plan is a new row), so
 * what it alone decides is serialized to JSON text on first use and reused for every view of that row. What changes —
 * the execution's stage, the task rows, the day, the mirror — is rendered per request by `planViewJson`.
 */
interface VersionView {
  /** JSON members from `id` to `plannerNote`. */
  head: string;
  /** JSON members from `createdAt` to `withheld`. */
  middle: string;
  /** JSON member `nextWorkflow`. */
  tail: string;
  aiTasks: { task: AiTask; carried: Carried | null; json: string }[];
  csmTasks: {
    task: CsmTask;
    carried: Carried | null;
    json: string;
    subTasks: { key: string; action: string; carried: Carried | null }[];
  }[];
  /** Plan task key → its action and owner (a blocker is named by them). */
  byKey: Map<string, { action: string; owner: 'AI' | 'CSM' }>;
  /** Every key the plan itself has (top-level and sub-tasks): a task row with another key was added after finalize. */
  planned: Set<string>;
  /** Who will own each task of a draft, as finalize will resolve it (null for a finalized version: its rows say). */
  drafted: Promise<Record<string, Assignee>> | null;
}

const versions = new WeakMap<PlanRow, VersionView>();

/** The fixed part of a plan version's view, computed once per plan row object (the plan cache keeps one per version). */
export function versionView(deps: Deps, plan: PlanRow): VersionView {
  let found = versions.get(plan);
  if (!found) versions.set(plan, (found = renderVersion(deps, plan)));
  return found;
}

function renderVersion(deps: Deps, plan: PlanRow): VersionView {
  const { content } = plan;
  const head: Pick<View, 'id' | 'executionId' | 'version' | 'status' | 'planner' | 'plannerNote'> = {
    id: plan.id,
    executionId: plan.executionId,
    version: plan.version,
    status: plan.status,
    planner: plan.planner,
    plannerNote: plan.plannerNote,
  };
  const middle: Pick<View, 'createdAt' | 'finalizedAt' | 'fixes' | 'generation' | 'diff' | 'summary' | 'withheld'> = {
    createdAt: plan.createdAt,
    finalizedAt: plan.finalizedAt,
    fixes: (plan.generation.validationFixes as string[] | undefined) ?? [],
    generation: generationView(plan.generation),
    diff: plan.diff ?? null,
    summary: content.summary,
    withheld: ((plan.generation.withheld as WithheldInput[] | undefined) ?? []).map((w) => ({ ...w, message: withheldMessage(w) })),
  };
  const aiTasks = content.aiTasks.map((t) => {
    // A draft's field writes proposed by the model start unticked: they run only if the CSM ticks them.
    const approval = plan.status === 'draft' && !plan.carried?.[t.key] && needsApproval(t, plan.planner);
    const fixed: Omit<AiTaskView, LiveAiKeys> = {
      ...t,
      change: plan.changes[t.key] ?? null,
      fieldChanges: plan.changeDetails?.[t.key] ?? [],
      included: !approval,
      needsApproval: approval,
      suggestedFromCrmText: suggestedFromCrmText(t),
    };
    return { task: t, carried: carriedView(plan, t.key), json: members(fixed) };
  });
  const csmTasks = content.csmTasks.map((t) => {
    // The due date and the sub-tasks are live (the CSM moves a date, ticks a sub-task): rendered per request.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- taken out of the fixed members, rendered live
    const { dueDate, subTasks, ...rest } = t;
    const fixed: Omit<CsmTaskView, LiveCsmKeys> = rest;
    return {
      task: t,
      carried: carriedView(plan, t.key),
      json: members(fixed),
      subTasks: subTasks.map((s) => ({ key: s.key, action: s.action, carried: carriedView(plan, s.key) })),
    };
  });
  return {
    head: members(head),
    middle: members(middle),
    tail: members({ nextWorkflow: content.nextWorkflow } satisfies Pick<View, 'nextWorkflow'>),
    aiTasks,
    csmTasks,
    byKey: new Map<string, { action: string; owner: 'AI' | 'CSM' }>([
      ...content.aiTasks.map((t) => [t.key, { action: t.action, owner: 'AI' as const }] as const),
      ...content.csmTasks.map((t) => [t.key, { action: t.action, owner: 'CSM' as const }] as const),
    ]),
    planned: new Set([...content.aiTasks, ...content.csmTasks.flatMap((t) => [t, ...t.subTasks])].map((t) => t.key)),
    drafted: plan.status === 'draft' ? assigneesOfDraft(deps, plan) : null,
  };
}

/** The members of an AI task's view that follow its row (rendered per request). */
export type LiveAiKeys =
  'taskId' | 'executionStatus' | 'carried' | 'executionResult' | 'executedAt' | 'salesforceTaskId' | 'blockedBy' | 'assignee';
/** The members of a CSM task's view that follow its rows (rendered per request). */
export type LiveCsmKeys =
  'dueDate' | 'taskId' | 'status' | 'snoozedUntil' | 'salesforceTaskId' | 'blockedBy' | 'assignee' | 'carried' | 'subTasks';

/** What a task of a re-plan carries over from the finalized version (as it stood when the re-plan was generated). */
function carriedView(plan: PlanRow, key: string): Carried | null {
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

/** The record of generation as the CSM sees it: who wrote the plan, with what, and what was fixed or rejected. */
function generationView(g: Record<string, unknown>): View['generation'] {
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

/**
 * Who will own each task of a draft (the approval gate shows it before finalize): its role resolved against the teams
 * of the CRM context the draft was generated from, as finalize will resolve it.
 */
function assigneesOfDraft(deps: Deps, plan: PlanRow): Promise<Record<string, Assignee>> {
  const found = planContext(deps.db.sql, plan.id).then((ctx) => assigneesOfPlan(plan.content, ctx, deps.env.TEAM_ROLES));
  // A failed read is answered to the request that awaits it; later views of this version try again.
  found.catch(() => versions.delete(plan));
  return found;
}
