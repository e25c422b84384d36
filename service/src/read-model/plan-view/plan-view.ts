import type { z } from 'zod';
import { executionLiveState, type HeldTasks, type PlanViewExecution } from '../../db/plan-view-state.ts';
import { unfinished } from '../../db/dependencies.ts';
import type { PlanRow } from '../../db/plans.ts';
import { taskStatesOfPlan, type TaskState } from '../../db/tasks.ts';
import type { Deps } from '../../deps.ts';
import { timelineNow } from '../../plan/timeline-status.ts';
import type { PlanView } from '../../routes/views.ts';
import { mirrorStanding } from '../../sync/mirror/standing.ts';
import type { PlanCache } from '../../workflows/plan-cache.ts';
import type { Assignee } from '../../team/assignee.ts';
import { members, versionView, type LiveAiKeys, type LiveCsmKeys } from './version-view.ts';

type View = z.infer<typeof PlanView>;

const assigneeView = (a: Assignee | TaskState['assignee'] | undefined): View['aiTasks'][number]['assignee'] =>
  a ? { id: a.id, name: a.name, role: a.role, source: a.source ?? 'owner-fallback', note: a.note } : null;

/**
 * The plan with every task's live state (after finalize) and the change each AI task will make, as the JSON text of a
 * `PlanView`. The version's own parts (summary, generation, each task's plan content and change) are serialized once
 * per plan version (`versionView`); each call renders only what the task rows, the execution and the day decide, so a
 * poll after one task changed costs the small live parts, not the whole plan.
 */
export async function planViewJson(deps: Deps, plan: PlanRow, execution: PlanViewExecution, states?: TaskState[]): Promise<string> {
  const fixed = versionView(deps, plan);
  const rows = states ?? (plan.status === 'finalized' ? await taskStatesOfPlan(deps.db.sql, plan.id) : []);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const drafted = fixed.drafted ? await fixed.drafted : {};
  const ownerOf = (key: string) => assigneeView(byKey.get(key)?.assignee ?? drafted[key]);
  // What a task waits for that is not done yet (live after finalize; in a draft, all but carried work already done).
  const statusOf = (key: string) =>
    byKey.get(key)?.status ?? (plan.carried?.[key]?.done ? 'completed' : (plan.carried?.[key]?.status ?? 'pending'));
  const blockedBy = (dependsOn: string[]) =>
    dependsOn
      .map((key) => ({
        key,
        action: fixed.byKey.get(key)?.action ?? key,
        owner: fixed.byKey.get(key)?.owner ?? 'CSM',
        status: statusOf(key),
      }))
      .filter((b) => unfinished(b.status));
  // The timeline's inputs: each task's key, title and where it stands.
  const progress: { key: string; action: string; status: string; executionStatus?: string | null; dueDate?: string | null }[] = [];
  const aiTasks = fixed.aiTasks.map(({ task, carried, json }) => {
    const row = byKey.get(task.key);
    // A draft shows an AI task it carries that already ran as done: it will not run again.
    const executionStatus = row?.executionStatus ?? (carried?.executionStatus === 'success' ? 'success' : null);
    progress.push({ key: task.key, action: task.action, status: executionStatus === 'success' ? 'completed' : 'pending', executionStatus });
    const live: Pick<View['aiTasks'][number], LiveAiKeys> = {
      taskId: row?.id ?? null,
      executionStatus,
      carried,
      executionResult: row?.executionResult ?? null,
      executedAt: row?.executedAt ?? null,
      salesforceTaskId: row?.salesforceTaskId ?? null,
      blockedBy: blockedBy(task.dependsOn),
      assignee: ownerOf(task.key),
    };
    return `{${json},${members(live)}}`;
  });
  const csmTasks = fixed.csmTasks.map(({ task, carried, json, subTasks }) => {
    const row = byKey.get(task.key);
    const live: Pick<View['csmTasks'][number], LiveCsmKeys> = {
      dueDate: row?.dueDate ?? task.dueDate,
      taskId: row?.id ?? null,
      status: row?.status ?? carried?.status ?? 'pending',
      snoozedUntil: row?.snoozedUntil ?? null,
      salesforceTaskId: row?.salesforceTaskId ?? null,
      blockedBy: blockedBy(task.dependsOn),
      assignee: ownerOf(task.key),
      carried,
      subTasks: subTasks.map((s) => {
        const sub = byKey.get(s.key);
        return {
          key: s.key,
          action: s.action,
          taskId: sub?.id ?? null,
          status: sub?.status ?? s.carried?.status ?? 'pending',
          carried: s.carried,
        };
      }),
    };
    progress.push({ key: task.key, action: task.action, status: live.status, dueDate: live.dueDate });
    return `{${json},${members(live)}}`;
  });
  // What was added after finalize (a monitoring task, an engagement rule's follow-up or proposal), with why.
  // Soonest due first, then by key: a stable order (the rows come in no order of their own).
  const addedTasks: View['addedTasks'] = rows
    .filter((r) => !fixed.planned.has(r.key))
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
  const mirror: View['mirror'] = mirrorStanding(
    rows.map((r) => ({
      id: r.id,
      key: r.key,
      action: fixed.byKey.get(r.key)?.action ?? r.key,
      mirrorStatus: r.mirrorStatus,
      mirrorError: r.mirrorError,
      mirrorRetryAt: r.mirrorRetryAt,
      mirrorWaitingSeconds: r.mirrorWaitingSeconds,
    })),
    deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000,
  );
  const shown: Pick<View, 'stage' | 'urgency' | 'daysToRenewal' | 'renewalDate' | 'opportunityId'> = {
    stage: execution.stage,
    urgency: execution.urgency,
    daysToRenewal: execution.daysToRenewal,
    renewalDate: execution.renewalDate,
    opportunityId: execution.opportunityId,
  };
  const timeline: View['timeline'] = timelineNow(plan.content.timeline, progress, deps.today());
  return (
    `{${fixed.head},${members(shown)},${fixed.middle},"aiTasks":[${aiTasks.join(',')}],"csmTasks":[${csmTasks.join(',')}],` +
    `"timeline":${JSON.stringify(timeline)},"addedTasks":${JSON.stringify(addedTasks)},${fixed.tail},"mirror":${JSON.stringify(mirror)}}`
  );
}

/**
 * The current plan's view of an execution as the route renders it when its view cache misses (a task changed since
 * the last poll): from the live state the route's first read brought along, else read now in one statement (sending
 * only the tasks whose versions are not in `held`); the plan version from the plan cache. Returns the JSON text and the
 * task states it was rendered from, by version (the `held` of the next miss). Undefined when the execution or its
 * plan is gone.
 */
export async function currentPlanViewJson(
  deps: Deps,
  plans: PlanCache,
  executionId: string,
  live?: Awaited<ReturnType<typeof executionLiveState>>,
  held?: HeldTasks,
): Promise<{ json: string; tasks: HeldTasks } | undefined> {
  const found = live ?? (await executionLiveState(deps.db.sql, executionId, deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000, held));
  const plan = found?.plan && (await plans.get(deps.db.sql, found.plan));
  if (!found || !plan) return undefined;
  return {
    json: await planViewJson(deps, plan, found.execution, found.tasks),
    tasks: new Map(found.tasks.map((t) => [t.version, t])),
  };
}
