import type { CarriedTask, PreviousTask } from '../plan/carry-over.ts';
import type { ActionPlanContent } from '../plan/schema.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { jsonParam } from './json.ts';
import { liveExecutionStatus } from './task-queue-state.ts';

/** The tasks of a finalized version as they stand (sub-tasks included, in key order), to carry them into a re-plan. */
export async function tasksOfFinalizedPlan(sql: Sql, planId: string): Promise<PreviousTask[]> {
  return sql<PreviousTask[]>`
    SELECT id, plan_task_key AS key, parent_task_id AS "parentId", owner, action, description, priority,
           to_char(due_date, 'YYYY-MM-DD') AS "dueDate", status, ${liveExecutionStatus(sql, sql`workflow_tasks`)} AS "executionStatus"
      FROM workflow_tasks WHERE action_plan_id = ${planId} ORDER BY plan_task_key`;
}

export interface ReplanOutcome {
  repointed: number;
  cancelled: number;
}

/**
 * Moves the finalized version's tasks to the version replacing it, inside finalize's transaction. Each carried task's
 * row is re-pointed (same id, so the same Salesforce Task): a done one keeps everything but its plan and key; an open
 * one takes the new version's text and dates (which already hold the CSM's edits), except a due date the CSM changed
 * after the re-plan was generated. Its status and execution state are kept. Open tasks left behind are cancelled
 * with a note. Everything changed goes back to the Salesforce mirror.
 */
export async function repointCarriedTasks(
  tx: TransactionSql,
  r: { planId: string; version: number; previousPlanId: string; content: ActionPlanContent; carried: Record<string, CarriedTask> },
): Promise<ReplanOutcome> {
  // The queue rows first (the executor's lock order: queue row, then task row): a task an executor holds keeps running
  // and is not cancelled below; the others cannot be claimed until this transaction ends.
  const held = await tx<{ id: string; claimed: boolean }[]>`
    SELECT task_id AS id, claim_token IS NOT NULL AS claimed FROM task_queue WHERE task_id IN (SELECT id FROM workflow_tasks WHERE action_plan_id = ${r.previousPlanId})
     ORDER BY task_id FOR UPDATE`;
  const running = held.filter((q) => q.claimed).map((q) => q.id);
  const rows = await tx<{ id: string; parentId: string | null }[]>`
    SELECT id, parent_task_id AS "parentId" FROM workflow_tasks WHERE action_plan_id = ${r.previousPlanId} ORDER BY id FOR UPDATE`;
  const onPrevious = new Set(rows.map((x) => x.id));
  const movedParents = new Set<string>();
  let repointed = 0;
  const remirror = markForRemirror(tx);
  const keep = (c: CarriedTask) => c.done || c.status === 'completed' || c.status === 'cancelled';

  for (const t of r.content.aiTasks) {
    const c = r.carried[t.key];
    if (!c || !onPrevious.has(c.fromTaskId)) continue;
    await tx`
      UPDATE workflow_tasks SET action_plan_id = ${r.planId}, plan_task_key = ${t.key},
        ${
          keep(c)
            ? tx``
            : tx`action = ${t.action}, description = ${t.description}, priority = ${t.priority}, processor = ${t.processor},
          metadata = ${jsonParam(tx, t.metadata)}, evidence = ${jsonParam(tx, t.evidence)}, execute_immediately = ${t.executeImmediately},`
        }
        ${remirror}
      WHERE id = ${c.fromTaskId} AND action_plan_id = ${r.previousPlanId}`;
    repointed++;
  }
  for (const t of r.content.csmTasks) {
    const c = r.carried[t.key];
    if (!c || !onPrevious.has(c.fromTaskId)) continue;
    await tx`
      UPDATE workflow_tasks SET action_plan_id = ${r.planId}, plan_task_key = ${t.key},
        ${
          keep(c)
            ? tx``
            : tx`action = ${t.action}, description = ${t.description}, priority = ${t.priority}, contact_id = ${t.contactId},
          evidence = ${jsonParam(tx, t.evidence)}, complexity = ${t.complexity}, estimated_completion_time = ${t.estimatedTime},
          due_date = CASE WHEN to_char(due_date, 'YYYY-MM-DD') IS DISTINCT FROM ${c.dueDate} THEN due_date ELSE ${t.dueDate}::date END,`
        }
        ${remirror}
      WHERE id = ${c.fromTaskId} AND action_plan_id = ${r.previousPlanId}`;
    movedParents.add(c.fromTaskId);
    repointed++;
    for (const s of t.subTasks) {
      const sc = r.carried[s.key];
      if (!sc || !onPrevious.has(sc.fromTaskId)) continue;
      await tx`
        UPDATE workflow_tasks SET action_plan_id = ${r.planId}, plan_task_key = ${s.key},
          ${sc.done ? tx`` : tx`action = ${s.action}, priority = ${t.priority},`} updated_at = now()
        WHERE id = ${sc.fromTaskId} AND action_plan_id = ${r.previousPlanId} AND parent_task_id = ${c.fromTaskId}`;
    }
  }
  // Tasks the AI tasks created as they ran (a processor's reminder) are not plan tasks: they follow the plan as they are.
  const [previous] = await tx<{ content: ActionPlanContent }[]>`SELECT content FROM action_plans WHERE id = ${r.previousPlanId}`;
  const planKeys = (c: ActionPlanContent) => [
    ...c.aiTasks.map((t) => t.key),
    ...c.csmTasks.flatMap((t) => [t.key, ...t.subTasks.map((s) => s.key)]),
  ];
  const reserved = [...new Set([...planKeys(previous!.content), ...planKeys(r.content)])];
  await tx`
    UPDATE workflow_tasks SET action_plan_id = ${r.planId}, updated_at = now()
     WHERE action_plan_id = ${r.previousPlanId} AND parent_task_id IS NULL AND plan_task_key NOT IN ${tx(reserved)}`;
  // What the new version does not carry and is still open is cancelled (Deferred in Salesforce). An AI task running
  // now cannot be stopped; it finishes on the superseded version.
  const cancelled = await tx<{ id: string }[]>`
    UPDATE workflow_tasks SET status = 'cancelled', completed_at = NULL, snoozed_until = NULL,
      description = description || ${`\n\nCancelled: not in version ${r.version} of the action plan.`}, ${remirror}
     WHERE action_plan_id = ${r.previousPlanId} AND status IN ('pending', 'in_progress', 'snoozed') AND plan_task_key IN ${tx(reserved)}
       AND execution_status IS DISTINCT FROM 'running' AND execution_status IS DISTINCT FROM 'success'
       AND NOT (id = ANY(${running}::uuid[]))
    RETURNING id`;
  // A re-pointed parent's checklist changed when one of its sub-tasks stayed behind.
  if (movedParents.size)
    await tx`UPDATE workflow_tasks SET ${remirror} WHERE id IN ${tx([...movedParents])} AND mirror_status <> 'skipped'`;
  return { repointed, cancelled: cancelled.filter((x) => !rows.find((y) => y.id === x.id)?.parentId).length };
}
