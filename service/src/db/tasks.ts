import type { Sql, TransactionSql } from './sql.ts';

export type TaskStatus = 'pending' | 'in_progress' | 'completed' | 'snoozed' | 'cancelled';
export type ExecutionStatus = 'queued' | 'running' | 'success' | 'failed';

export interface TaskRow {
  id: string;
  actionPlanId: string;
  executionId: string;
  opportunityId: string;
  planTaskKey: string;
  owner: 'AI' | 'CSM' | 'Customer';
  action: string;
  description: string;
  priority: number;
  dueDate: string | null;
  status: TaskStatus;
  snoozedUntil: Date | null;
  completedAt: Date | null;
  contactId: string | null;
  assigneeUserId: string | null;
  metadata: Record<string, unknown>;
  evidence: unknown[];
  autoExecute: boolean;
  processor: string | null;
  executionStatus: ExecutionStatus | null;
  executionResult: unknown;
  executedAt: Date | null;
  parentTaskId: string | null;
  estimatedCompletionTime: string | null;
  complexity: 'simple' | 'moderate' | 'complex' | null;
  executeImmediately: boolean;
  attempts: number;
  salesforceTaskId: string | null;
  mirrorStatus: 'pending' | 'synced' | 'failed' | 'skipped';
  mirrorError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const taskColumns = (sql: Sql | TransactionSql) => sql`
  id, action_plan_id AS "actionPlanId", execution_id AS "executionId", opportunity_id AS "opportunityId",
  plan_task_key AS "planTaskKey", owner, action, description, priority, to_char(due_date, 'YYYY-MM-DD') AS "dueDate",
  status, snoozed_until AS "snoozedUntil", completed_at AS "completedAt", contact_id AS "contactId",
  assignee_user_id AS "assigneeUserId", metadata, evidence, auto_execute AS "autoExecute", processor,
  execution_status AS "executionStatus", execution_result AS "executionResult", executed_at AS "executedAt",
  parent_task_id AS "parentTaskId", estimated_completion_time AS "estimatedCompletionTime", complexity,
  execute_immediately AS "executeImmediately", attempts, salesforce_task_id AS "salesforceTaskId",
  mirror_status AS "mirrorStatus", mirror_error AS "mirrorError", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function getTask(sql: Sql, id: string): Promise<TaskRow | undefined> {
  const [row] = await sql<TaskRow[]>`SELECT ${taskColumns(sql)} FROM workflow_tasks WHERE id = ${id}`;
  return row;
}

/** The live state of a plan's tasks, as the plan view shows it (a narrow read for the hot path). */
export interface TaskState {
  id: string;
  key: string;
  status: TaskStatus;
  dueDate: string | null;
  snoozedUntil: Date | null;
  executionStatus: ExecutionStatus | null;
  executionResult: unknown;
  executedAt: Date | null;
  salesforceTaskId: string | null;
  mirrorStatus: TaskRow['mirrorStatus'];
  mirrorError: string | null;
  mirrorAttempts: number;
}

export const taskStateSelect = (sql: Sql) => sql`
  SELECT id, plan_task_key AS key, status, to_char(due_date, 'YYYY-MM-DD') AS "dueDate", snoozed_until AS "snoozedUntil",
         execution_status AS "executionStatus", execution_result AS "executionResult", executed_at AS "executedAt",
         salesforce_task_id AS "salesforceTaskId", mirror_status AS "mirrorStatus", mirror_error AS "mirrorError",
         mirror_attempts AS "mirrorAttempts"
    FROM workflow_tasks`;

export async function taskStatesOfPlan(sql: Sql, planId: string): Promise<TaskState[]> {
  return sql<TaskState[]>`${taskStateSelect(sql)} WHERE action_plan_id = ${planId}`;
}

export interface TaskFilters {
  opportunityIds?: string[];
  autoExecute?: boolean;
  executionStatus?: ExecutionStatus;
  status?: TaskStatus;
  owner?: TaskRow['owner'];
  executionId?: string;
  limit: number;
  /** Keyset cursor: the (created_at, id) of the last row of the previous page. */
  after?: { createdAt: string; id: string };
}

function taskWhere(sql: Sql, f: Omit<TaskFilters, 'limit'>) {
  return [
    f.opportunityIds ? sql`opportunity_id IN ${sql(f.opportunityIds.length ? f.opportunityIds : [''])}` : sql`true`,
    f.autoExecute === undefined ? sql`true` : sql`auto_execute = ${f.autoExecute}`,
    f.executionStatus ? sql`execution_status = ${f.executionStatus}` : sql`true`,
    f.status ? sql`status = ${f.status}` : sql`true`,
    f.owner ? sql`owner = ${f.owner}` : sql`true`,
    f.executionId ? sql`execution_id = ${f.executionId}` : sql`true`,
    f.after ? sql`(created_at, id) > (${f.after.createdAt}::text::timestamptz, ${f.after.id}::uuid)` : sql`true`,
  ].reduce((acc, cond) => sql`${acc} AND ${cond}`);
}

/** Tasks matching the filters, oldest first, one page (keyset paging on created_at, id). */
export async function listTasks(sql: Sql, f: TaskFilters): Promise<(TaskRow & { cursorAt: string })[]> {
  // The cursor carries created_at to the microsecond (a JS Date would cut it to milliseconds).
  return sql<(TaskRow & { cursorAt: string })[]>`
    SELECT ${taskColumns(sql)}, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
      FROM workflow_tasks WHERE ${taskWhere(sql, f)} ORDER BY created_at, id LIMIT ${f.limit}`;
}

/** The distinct opportunities of the tasks matching the filters, to check the user's access once per opportunity. */
export async function opportunitiesOfTasks(sql: Sql, f: Omit<TaskFilters, 'limit'>): Promise<string[]> {
  const rows = await sql<{ opportunityId: string }[]>`
    SELECT DISTINCT opportunity_id AS "opportunityId" FROM workflow_tasks WHERE ${taskWhere(sql, f)}`;
  return rows.map((r) => r.opportunityId);
}

export interface TaskPatch {
  status?: TaskStatus;
  dueDate?: string;
  snoozedUntil?: string | null;
}

/**
 * Applies a CSM's change to a task and marks it (or its parent, for a sub-task) for re-mirroring.
 * Returns undefined when the task does not exist.
 */
export async function updateTask(sql: Sql, id: string, patch: TaskPatch): Promise<TaskRow | undefined> {
  return sql.begin(async (tx) => {
    const status = patch.snoozedUntil ? 'snoozed' : patch.status;
    const [row] = await tx<TaskRow[]>`
      UPDATE workflow_tasks SET
        status = coalesce(${status ?? null}, CASE WHEN ${patch.snoozedUntil === null} AND status = 'snoozed' THEN 'pending' ELSE status END),
        due_date = coalesce(${patch.dueDate ?? null}::date, due_date),
        snoozed_until = CASE WHEN ${patch.snoozedUntil !== undefined} THEN ${patch.snoozedUntil ?? null}::timestamptz ELSE snoozed_until END,
        completed_at = CASE WHEN coalesce(${status ?? null}, status) = 'completed' THEN coalesce(completed_at, now()) ELSE NULL END,
        mirror_status = CASE WHEN mirror_status = 'skipped' THEN 'skipped' ELSE 'pending' END,
        updated_at = now()
      WHERE id = ${id}
      RETURNING ${taskColumns(tx)}`;
    if (row?.parentTaskId)
      await tx`UPDATE workflow_tasks SET mirror_status = 'pending', updated_at = now() WHERE id = ${row.parentTaskId} AND mirror_status <> 'skipped'`;
    return row;
  });
}

/** Top-level tasks waiting to be mirrored to Salesforce, with their sub-tasks for the checklist. */
export async function tasksToMirror(sql: Sql, opts: { planId?: string; taskIds?: string[]; limit?: number; maxAttempts?: number }): Promise<TaskRow[]> {
  return sql<TaskRow[]>`
    SELECT ${taskColumns(sql)} FROM workflow_tasks
     WHERE mirror_status = 'pending' AND parent_task_id IS NULL
       AND mirror_attempts < ${opts.maxAttempts ?? 10}
       ${opts.planId ? sql`AND action_plan_id = ${opts.planId}` : sql``}
       ${opts.taskIds ? sql`AND id IN ${sql(opts.taskIds)}` : sql``}
     ORDER BY created_at, id LIMIT ${opts.limit ?? 1000}`;
}

export async function subTasksOf(sql: Sql, parentIds: string[]): Promise<TaskRow[]> {
  if (parentIds.length === 0) return [];
  return sql<TaskRow[]>`
    SELECT ${taskColumns(sql)} FROM workflow_tasks WHERE parent_task_id IN ${sql(parentIds)} ORDER BY plan_task_key`;
}

export interface MirrorResult {
  taskId: string;
  salesforceTaskId?: string;
  error?: { message: string; permanent: boolean };
  /** updated_at of the row when it was read: a change made since then keeps the task pending. */
  readAt: Date;
}

/** Records the outcome of a mirror run; a task changed meanwhile stays pending so the next run carries the change. */
export async function recordMirrorResults(sql: Sql, results: MirrorResult[]): Promise<void> {
  for (const r of results) {
    if (r.salesforceTaskId) {
      await sql`
        UPDATE workflow_tasks SET salesforce_task_id = ${r.salesforceTaskId}, mirror_error = NULL, mirrored_at = now(),
          mirror_attempts = 0, mirror_status = CASE WHEN date_trunc('milliseconds', updated_at) > ${r.readAt} THEN 'pending' ELSE 'synced' END
        WHERE id = ${r.taskId}`;
    } else if (r.error) {
      await sql`
        UPDATE workflow_tasks SET mirror_error = ${r.error.message}, mirror_attempts = mirror_attempts + 1,
          mirror_status = ${r.error.permanent ? 'failed' : 'pending'}
        WHERE id = ${r.taskId}`;
    }
  }
}

/** Completes tasks that were completed in Salesforce; returns the ids that changed. */
export async function completeTasksFromSalesforce(sql: Sql, taskIds: string[]): Promise<string[]> {
  if (taskIds.length === 0) return [];
  const rows = await sql<{ id: string }[]>`
    UPDATE workflow_tasks SET status = 'completed', completed_at = now(), updated_at = now()
     WHERE id IN ${sql(taskIds)} AND status <> 'completed'
     RETURNING id`;
  return rows.map((r) => r.id);
}

