import { markForRemirror } from './remirror.ts';
import type { Sql } from './sql.ts';
import { taskColumns, type TaskRow } from './tasks.ts';
import type { NewPlanTask as PortPlanTask } from '../../../processors/port.ts';
import { jsonParam } from './json.ts';

/**
 * The rows behind the processors' port (executor/services.ts): what AI processors create or change locally, and the
 * execution a task belongs to. Each write is keyed (a derived plan task key, the task id,
 * the plan id), so running a processor again after a crash or a retry creates nothing twice.
 */
export interface NewPlanTask extends PortPlanTask {
  /** The task (or, for an engagement rule, the email) the new task comes from: its plan, key prefix and assignee. */
  sourceTask: Pick<TaskRow, 'actionPlanId' | 'executionId' | 'opportunityId' | 'planTaskKey' | 'assigneeUserId'>;
  /** An AI task proposed for approval: it runs this processor only once the CSM approves it (`POST /api/workflows/tasks/{id}/approve`). */
  proposedProcessor?: string;
  /** Why the service added it (an engagement rule), shown on the task. */
  explanation?: string;
}

/** Adds a task to the source task's plan (key `<source key>-<suffix>`), or returns the one already added. */
export async function addPlanTask(sql: Sql, t: NewPlanTask): Promise<{ task: TaskRow; created: boolean }> {
  const s = t.sourceTask;
  const key = `${s.planTaskKey}-${t.keySuffix}`.slice(0, 64);
  const row = {
    action_plan_id: s.actionPlanId,
    execution_id: s.executionId,
    opportunity_id: s.opportunityId,
    plan_task_key: key,
    owner: t.owner,
    action: t.action,
    description: t.description,
    priority: t.priority,
    due_date: t.dueDate,
    status: t.status,
    snoozed_until: t.snoozedUntil,
    assignee_user_id: s.assigneeUserId,
    metadata: jsonParam(sql, t.metadata),
    explanation: t.explanation ?? null,
    awaiting_approval: t.proposedProcessor !== undefined,
    // A proposal is an AI task with no execution status: the executor claims only queued ones.
    auto_execute: t.proposedProcessor !== undefined,
    processor: t.proposedProcessor ?? null,
    complexity: 'simple',
    mirror_status: 'pending',
  };
  const inserted = await sql<TaskRow[]>`
    INSERT INTO workflow_tasks ${sql(row)}
    ON CONFLICT (action_plan_id, plan_task_key) DO NOTHING
    RETURNING ${taskColumns(sql)}`;
  if (inserted[0]) return { task: inserted[0], created: true };
  const [existing] = await sql<TaskRow[]>`
    SELECT ${taskColumns(sql)} FROM workflow_tasks WHERE action_plan_id = ${s.actionPlanId} AND plan_task_key = ${key}`;
  return { task: existing!, created: false };
}

/** Points the plan's open CSM tasks about the old contact at the new one (the "local record" of a contact change). */
export async function repointPlanContacts(sql: Sql, planId: string, oldContactId: string, newContactId: string): Promise<number> {
  const rows = await sql`
    UPDATE workflow_tasks SET contact_id = ${newContactId}, 
           ${markForRemirror(sql)}
     WHERE action_plan_id = ${planId} AND owner = 'CSM' AND contact_id = ${oldContactId} AND status NOT IN ('completed', 'cancelled')
    RETURNING id`;
  return rows.length;
}

interface NextWorkflow {
  executionId: string;
  planId: string;
  opportunityId: string;
  stage: string;
  name: string;
  triggerDate: string;
  conditions: string[];
}

/** Schedules (or reschedules, while not yet started) the plan's next stage workflow. */
export async function scheduleNextWorkflow(
  sql: Sql,
  w: NextWorkflow,
): Promise<{ id: string; status: string; triggerDate: string; stage: string }> {
  const [row] = await sql<{ id: string; status: string; triggerDate: string; stage: string }[]>`
    INSERT INTO scheduled_workflows (source_execution_id, source_plan_id, opportunity_id, stage, name, trigger_date, conditions)
    VALUES (${w.executionId}, ${w.planId}, ${w.opportunityId}, ${w.stage}, ${w.name}, ${w.triggerDate}, ${sql.json(w.conditions)})
    ON CONFLICT (source_plan_id) DO UPDATE SET stage = excluded.stage, name = excluded.name, trigger_date = excluded.trigger_date,
           conditions = excluded.conditions, updated_at = now()
     WHERE scheduled_workflows.status = 'scheduled'
    RETURNING id, status, to_char(trigger_date, 'YYYY-MM-DD') AS "triggerDate", stage`;
  if (row) return row;
  const [started] = await sql<{ id: string; status: string; triggerDate: string; stage: string }[]>`
    SELECT id, status, to_char(trigger_date, 'YYYY-MM-DD') AS "triggerDate", stage FROM scheduled_workflows WHERE source_plan_id = ${w.planId}`;
  return started!;
}

/** The execution a task belongs to, as the processors' customer and workflow context. */
export async function taskContext(sql: Sql, executionId: string) {
  const [row] = await sql<
    {
      opportunityId: string;
      opportunityName: string;
      accountId: string | null;
      accountName: string | null;
      csmUserId: string | null;
      stage: string;
      urgency: string;
      renewalDate: string;
      daysToRenewal: number;
    }[]
  >`
    SELECT opportunity_id AS "opportunityId", opportunity_name AS "opportunityName", account_id AS "accountId",
           account_name AS "accountName", csm_user_id AS "csmUserId", stage, urgency,
           to_char(renewal_date, 'YYYY-MM-DD') AS "renewalDate", days_to_renewal AS "daysToRenewal"
      FROM workflow_executions WHERE id = ${executionId}`;
  return row;
}

/** A task of a plan by its key, for a processor that acts on another task of its plan (the meeting scheduler). */
export async function planTaskByKey(sql: Sql, planId: string, key: string): Promise<TaskRow | undefined> {
  const [row] = await sql<TaskRow[]>`
    SELECT ${taskColumns(sql)} FROM workflow_tasks WHERE action_plan_id = ${planId} AND plan_task_key = ${key}`;
  return row;
}
