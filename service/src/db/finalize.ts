import type { ActionPlanContent } from '../plan/schema.ts';
import type { Assignee } from '../team/assignee.ts';
import { writePlanDependencies } from './dependencies.ts';
import { markForRemirror } from './remirror.ts';
import { notify, type NewNotification } from './notifications.ts';
import { planColumns, type PlanRow } from './plans.ts';
import { repointCarriedTasks, type ReplanOutcome } from './replan.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { plural } from '../words.ts';
import { jsonParam, type InsertRow } from './json.ts';

interface FinalizeInput {
  planId: string;
  executionId: string;
  userId: string;
  content: ActionPlanContent;
  edits: unknown;
  opportunityId: string;
  /** The Salesforce user the plan's notifications go to (the opportunity owner). */
  csmUserId: string;
  /** Each top-level task's owner by key, as its team role resolved (sub-tasks follow their task); else the owner. */
  assignees?: Record<string, Assignee>;
  today: string;
  /** The finalizing request's W3C traceparent, stored with the plan and its tasks (service/src/tracing.ts). */
  traceParent?: string | null;
}

type FinalizeOutcome =
  | { kind: 'finalized'; plan: PlanRow; replaced: ({ planId: string } & ReplanOutcome) | null }
  | { kind: 'already-finalized'; plan: PlanRow }
  | { kind: 'not-found' }
  | { kind: 'superseded'; plan: PlanRow };

/**
 * Finalizes a draft plan in one transaction: the plan row, its AI tasks (queued), CSM tasks and their
 * sub-tasks, their dependencies, the next-workflow trigger and a notification for the CSM. The plan row is locked first, so a
 * double click or a retry finds it finalized and creates nothing twice. A draft that re-plans a finalized version
 * replaces it: that version is superseded, its carried tasks re-pointed (see repointCarriedTasks), its open
 * leftovers cancelled and its scheduled next workflow replaced by the new one.
 */
export async function finalizePlan(sql: Sql, f: FinalizeInput): Promise<FinalizeOutcome> {
  return sql.begin(async (tx) => {
    const [plan] = await tx<PlanRow[]>`
      SELECT ${planColumns(tx)} FROM action_plans WHERE id = ${f.planId} AND execution_id = ${f.executionId} FOR UPDATE`;
    if (!plan) return { kind: 'not-found' };
    if (plan.status === 'finalized') return { kind: 'already-finalized', plan };
    if (plan.status === 'superseded') return { kind: 'superseded', plan };

    const [previous] = await tx<{ id: string }[]>`
      SELECT id FROM action_plans WHERE execution_id = ${f.executionId} AND status = 'finalized' FOR UPDATE`;
    let replaced: ({ planId: string } & ReplanOutcome) | null = null;
    if (previous) {
      // Only one version is finalized at a time (a partial unique index): the one in force steps down first.
      await tx`UPDATE action_plans SET status = 'superseded' WHERE id = ${previous.id}`;
      const moved = await repointCarriedTasks(tx, {
        planId: f.planId,
        version: plan.version,
        previousPlanId: previous.id,
        content: f.content,
        carried: plan.carried,
      });
      replaced = { planId: previous.id, ...moved };
    }
    await insertTasks(tx, f);
    await assignCarriedTasks(tx, f);
    await writePlanDependencies(tx, f.planId, [...f.content.aiTasks, ...f.content.csmTasks]);
    const next = f.content.nextWorkflow;
    if (next && previous) {
      await tx`UPDATE scheduled_workflows SET status = 'cancelled', updated_at = now() WHERE source_plan_id = ${previous.id} AND status = 'scheduled'`;
    }
    if (next) {
      await tx`
        INSERT INTO scheduled_workflows (source_execution_id, source_plan_id, opportunity_id, stage, name, trigger_date, conditions)
        VALUES (${f.executionId}, ${f.planId}, ${f.opportunityId}, ${next.stage}, ${next.name}, ${next.triggerDate},
                ${tx.json(next.conditions)})
        ON CONFLICT (source_plan_id) DO NOTHING`;
    }
    const ai = f.content.aiTasks.length;
    const csm = f.content.csmTasks.length;
    await notify(tx, [
      replaced
        ? updatedNote(f, plan, replaced)
        : {
            userId: f.csmUserId,
            opportunityId: f.opportunityId,
            planId: f.planId,
            kind: 'plan-finalized',
            title: 'Action plan finalized',
            body: `${plural(ai, 'AI task')} queued, ${plural(csm, 'CSM task')} created${next ? `; ${next.stage} starts ${next.triggerDate}` : ''}.`,
            dedupeKey: `plan-finalized:${f.planId}`,
          },
    ]);
    const [finalized] = await tx<PlanRow[]>`
      UPDATE action_plans SET status = 'finalized', content = ${jsonParam(tx, f.content)}, finalized_by = ${f.userId},
             finalized_at = now(), finalize_edits = ${jsonParam(tx, f.edits ?? null)}, trace_parent = ${f.traceParent ?? null}
       WHERE id = ${f.planId}
      RETURNING ${planColumns(tx)}`;
    await tx`
      UPDATE workflow_executions
         SET status = 'completed', updated_at = now(),
             steps = (SELECT coalesce(jsonb_agg(CASE WHEN s->>'type' = 'planning' THEN s || '{"status":"done"}' ELSE s END), '[]')
                        FROM jsonb_array_elements(steps) s)
       WHERE id = ${f.executionId}`;
    return { kind: 'finalized', plan: finalized!, replaced };
  });
}

/** The one notification of a re-plan: "Action plan updated: +a −r ~c", counted on what was finalized. */
function updatedNote(f: FinalizeInput, draft: PlanRow, replaced: { planId: string } & ReplanOutcome): NewNotification {
  const keys = new Set([...f.content.aiTasks, ...f.content.csmTasks].map((t) => t.key));
  const diff = draft.diff;
  const added = diff?.added.filter((t) => keys.has(t.key)).length ?? 0;
  const changed = diff?.changed.filter((t) => keys.has(t.key)).length ?? 0;
  const moved = diff?.renewalDateMoved;
  return {
    userId: f.csmUserId,
    opportunityId: f.opportunityId,
    planId: f.planId,
    kind: 'plan-updated',
    title: `Action plan updated: +${added} −${replaced.cancelled} ~${changed}`,
    body:
      `Version ${draft.version} replaces version ${diff?.previousVersion ?? draft.version - 1}: ${plural(added, 'task')} added, ${plural(replaced.cancelled, 'open task')} cancelled, ` +
      `${changed} changed, ${replaced.repointed} carried over.` +
      (moved
        ? ` The renewal date moved from ${moved.from} to ${moved.to}; open tasks moved ${plural(moved.businessDays, 'business day')}.`
        : ''),
    dedupeKey: `plan-updated:${f.planId}`,
  };
}

/** Every inserted column, so AI, CSM and sub-task rows share one column list. */
const TASK_DEFAULTS = {
  contact_id: null,
  processor: null,
  execution_status: null,
  execute_immediately: false,
  parent_task_id: null,
  mirror_status: 'pending',
};

/** The assignee columns of a task whose owner resolved to `a` (the opportunity owner when none is given). */
const assigneeColumns = (a: Assignee | undefined, csmUserId: string) => ({
  assignee_user_id: a?.userId ?? csmUserId,
  assignee_queue_id: a?.source === 'queue' ? a.id : null,
  assignee_role: a?.role ?? null,
  assignee_source: a?.source ?? 'owner-fallback',
  assignee_name: a?.name ?? null,
  assignee_note: a?.note ?? null,
});

/**
 * A re-plan's carried open tasks take the owner this version resolved (their role, or the team, may have changed);
 * one that changed owner goes back to the Salesforce mirror. Done tasks keep the owner who did them.
 */
async function assignCarriedTasks(tx: TransactionSql, f: FinalizeInput): Promise<void> {
  const assignees = f.assignees ?? {};
  const keys = Object.keys(assignees);
  if (keys.length === 0) return;
  const cols = keys.map((k) => assigneeColumns(assignees[k], f.csmUserId));
  const pick = <K extends keyof (typeof cols)[number]>(k: K) => cols.map((c) => c[k]);
  await tx`
    UPDATE workflow_tasks t SET assignee_user_id = a.user_id, assignee_queue_id = a.queue_id, assignee_role = a.role,
           assignee_source = a.source, assignee_name = a.name, assignee_note = a.note, ${markForRemirror(tx)}
      FROM unnest(${keys}::text[], ${pick('assignee_user_id')}::text[], ${pick('assignee_queue_id')}::text[], ${pick('assignee_role')}::text[],
                  ${pick('assignee_source')}::text[], ${pick('assignee_name')}::text[], ${pick('assignee_note')}::text[])
           AS a(key, user_id, queue_id, role, source, name, note)
     WHERE t.action_plan_id = ${f.planId} AND t.parent_task_id IS NULL AND t.plan_task_key = a.key
       AND t.status NOT IN ('completed', 'cancelled')
       AND (t.assignee_user_id, t.assignee_queue_id, t.assignee_role, t.assignee_source, t.assignee_note)
           IS DISTINCT FROM (a.user_id, a.queue_id, a.role, a.source, a.note)`;
}

async function insertTasks(tx: TransactionSql, f: FinalizeInput): Promise<void> {
  const base = {
    ...TASK_DEFAULTS,
    action_plan_id: f.planId,
    execution_id: f.executionId,
    opportunity_id: f.opportunityId,
    trace_parent: f.traceParent ?? null,
  };
  const owner = (key: string) => assigneeColumns(f.assignees?.[key], f.csmUserId);
  const rows: InsertRow[] = [];
  for (const t of f.content.aiTasks) {
    rows.push({
      ...base,
      ...owner(t.key),
      plan_task_key: t.key,
      owner: 'AI',
      action: t.action,
      description: t.description,
      priority: t.priority,
      due_date: f.today,
      metadata: jsonParam(tx, t.metadata),
      evidence: jsonParam(tx, t.evidence),
      auto_execute: true,
      processor: t.processor,
      execution_status: 'queued',
      execute_immediately: t.executeImmediately,
      estimated_completion_time: t.executeImmediately ? 'Within 5 minutes' : 'Within 15 minutes',
      complexity: 'simple',
    });
  }
  for (const t of f.content.csmTasks) {
    rows.push({
      ...base,
      ...owner(t.key),
      plan_task_key: t.key,
      owner: 'CSM',
      action: t.action,
      description: t.description,
      priority: t.priority,
      due_date: t.dueDate,
      contact_id: t.contactId,
      execute_immediately: false,
      // A meeting is booked as a Salesforce Event (processors/meeting-scheduler); plain tasks keep empty metadata.
      metadata: jsonParam(tx, t.kind === 'meeting' ? { kind: 'meeting' } : {}),
      evidence: jsonParam(tx, t.evidence),
      auto_execute: false,
      estimated_completion_time: t.estimatedTime,
      complexity: t.complexity,
    });
  }
  const inserted = rows.length
    ? await tx<{ id: string; key: string }[]>`
        INSERT INTO workflow_tasks ${tx(rows)}
        ON CONFLICT (action_plan_id, plan_task_key) DO NOTHING
        RETURNING id, plan_task_key AS key`
    : [];
  // A parent carried from the version this one replaces was re-pointed, not inserted: look every parent up.
  const idOf = new Map(inserted.map((r) => [r.key, r.id]));
  if (f.content.csmTasks.some((t) => t.subTasks.length && !idOf.has(t.key)))
    for (const r of await tx<
      { id: string; key: string }[]
    >`SELECT id, plan_task_key AS key FROM workflow_tasks WHERE action_plan_id = ${f.planId} AND parent_task_id IS NULL`)
      idOf.set(r.key, r.id);
  const subRows = f.content.csmTasks.flatMap((t) =>
    t.subTasks.map((s) => ({
      ...base,
      ...owner(t.key),
      plan_task_key: s.key,
      owner: 'CSM',
      action: s.action,
      description: '',
      priority: t.priority,
      due_date: t.dueDate,
      metadata: jsonParam(tx, {}),
      evidence: jsonParam(tx, []),
      parent_task_id: idOf.get(t.key) ?? null,
      auto_execute: false,
      complexity: 'simple',
      mirror_status: 'skipped',
    })),
  );
  if (subRows.length) await tx`INSERT INTO workflow_tasks ${tx(subRows)} ON CONFLICT (action_plan_id, plan_task_key) DO NOTHING`;
}
