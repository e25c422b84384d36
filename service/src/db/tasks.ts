import { conflict } from '../domain-errors.ts';
import { blockersOf, unblockDependents, type Blocker } from './dependencies.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { reusedFragment } from './fragments.ts';
import { aiTasksIn, liveAttempts, liveExecutionStatus, lockQueueRows, type Fragment } from './task-queue-state.ts';

type TaskStatus = 'pending' | 'in_progress' | 'completed' | 'snoozed' | 'cancelled';
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
  /** The task's owner as finalize resolved its team role (see team/assignee.ts); null on tasks from before roles. */
  assigneeRole: string | null;
  assigneeSource: 'opportunity-team' | 'account-team' | 'queue' | 'owner-fallback' | null;
  assigneeName: string | null;
  assigneeNote: string | null;
  /** The queue that owns the Salesforce Task, when the role went to one (assigneeUserId is then the person notified). */
  assigneeQueueId: string | null;
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
  /** Why the service added or changed the task on its own (an engagement rule); null for the plan's own tasks. */
  explanation: string | null;
  /** An AI task proposed after finalize, waiting for the CSM's approval before it runs. */
  awaitingApproval: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The columns of a TaskRow, for a statement that reads `workflow_tasks` under its own name. The execution status and
 * the attempts are the live ones (task_queue: a claimed task is running); the claim passes its own, which it has just
 * written and which the statement's snapshot does not show.
 */
export const taskColumns = (
  sql: Sql | TransactionSql,
  live: { executionStatus: Fragment; attempts: Fragment } = {
    executionStatus: liveExecutionStatus(sql, sql`workflow_tasks`),
    attempts: liveAttempts(sql, sql`workflow_tasks`),
  },
) => sql`
  id, action_plan_id AS "actionPlanId", execution_id AS "executionId", opportunity_id AS "opportunityId",
  plan_task_key AS "planTaskKey", owner, action, description, priority, to_char(due_date, 'YYYY-MM-DD') AS "dueDate",
  status, snoozed_until AS "snoozedUntil", completed_at AS "completedAt", contact_id AS "contactId",
  assignee_user_id AS "assigneeUserId", assignee_role AS "assigneeRole", assignee_source AS "assigneeSource",
  assignee_name AS "assigneeName", assignee_note AS "assigneeNote", assignee_queue_id AS "assigneeQueueId", metadata, evidence, auto_execute AS "autoExecute", processor,
  ${live.executionStatus} AS "executionStatus", execution_result AS "executionResult", executed_at AS "executedAt",
  parent_task_id AS "parentTaskId", estimated_completion_time AS "estimatedCompletionTime", complexity,
  execute_immediately AS "executeImmediately", ${live.attempts} AS attempts, salesforce_task_id AS "salesforceTaskId",
  mirror_status AS "mirrorStatus", mirror_error AS "mirrorError", explanation, awaiting_approval AS "awaitingApproval",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

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
  /** When the mirror's backoff makes the task due again (null: at the next sync run, or not pending). */
  mirrorRetryAt: Date | null;
  /** How long its current state has waited to reach Salesforce, on the database's clock (null unless pending). */
  mirrorWaitingSeconds: number | null;
  owner: TaskRow['owner'];
  action: string;
  processor: string | null;
  explanation: string | null;
  awaitingApproval: boolean;
  /** Its owner: the Salesforce Task's OwnerId (a user or a queue) and how finalize chose it. */
  assignee: { id: string; name: string | null; role: string | null; source: TaskRow['assigneeSource']; note: string | null } | null;
}

/** The columns of a `TaskState`, from the `workflow_tasks` row in scope (by that name). */
export const taskStateColumns = (sql: Sql) =>
  reusedFragment(
    sql,
    'taskStateColumns',
    () => sql`
  id, plan_task_key AS key, status, to_char(due_date, 'YYYY-MM-DD') AS "dueDate", snoozed_until AS "snoozedUntil",
  ${liveExecutionStatus(sql, sql`workflow_tasks`)} AS "executionStatus", execution_result AS "executionResult", executed_at AS "executedAt",
  salesforce_task_id AS "salesforceTaskId", mirror_status AS "mirrorStatus", mirror_error AS "mirrorError",
  mirror_attempts AS "mirrorAttempts", mirror_retry_at AS "mirrorRetryAt",
  extract(epoch FROM now() - mirror_pending_since)::float8 AS "mirrorWaitingSeconds",
  owner, action, processor, explanation, awaiting_approval AS "awaitingApproval",
  CASE WHEN assignee_user_id IS NULL THEN NULL ELSE jsonb_build_object(
    'id', coalesce(assignee_queue_id, assignee_user_id), 'name', assignee_name, 'role', assignee_role,
    'source', assignee_source, 'note', assignee_note) END AS assignee`,
  );

const taskStateSelect = (sql: Sql) =>
  reusedFragment(sql, 'taskStateSelect', () => sql`SELECT ${taskStateColumns(sql)} FROM workflow_tasks`);

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
    // Two arms, one per partial index (0023): AI tasks by status, and the rare other task that carries one.
    f.executionStatus
      ? sql`(${aiTasksIn(sql, sql`workflow_tasks`, f.executionStatus)} OR NOT auto_execute AND execution_status = ${f.executionStatus})`
      : sql`true`,
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

/** "csm-1 "Engage the CFO" (pending), ai-2 "…" (queued)": the prerequisites a blocked task names. */
export const blockerList = (blockers: Pick<Blocker, 'key' | 'action' | 'status'>[]) =>
  blockers.map((b) => `${b.key} "${b.action}" (${b.status})`).join(', ');

/**
 * Applies a CSM's change to a task and marks it (or its parent, for a sub-task) for re-mirroring.
 * Returns undefined when the task does not exist, or when it is an AI task an executor is running: that one cannot
 * be cancelled (the run would write its result over the cancel); its queue row is locked first, so no claim can slip
 * in between. Completing a task (or a sub-task) whose prerequisites are unfinished is a conflict that
 * names them; a task completed or cancelled unblocks what waited for it (unblockDependents: their ids are returned
 * in `unblocked`, to mirror them at once).
 */
export async function updateTask(sql: Sql, id: string, patch: TaskPatch): Promise<(TaskRow & { unblocked: string[] }) | undefined> {
  return sql.begin(async (tx) => {
    // First, before any lock on the task's row (the executor's order: queue row, then task row): an AI task an
    // executor holds is not changed; one it does not hold cannot be claimed until this transaction ends.
    if ((await lockQueueRows(tx, [id])).size > 0) return undefined;
    const status = patch.snoozedUntil ? 'snoozed' : patch.status;
    // A finished task is final: what waited for it may already have run, so it cannot be re-opened or snoozed (and
    // "finished" never turns back, so a dependent's check of its prerequisites cannot be overtaken).
    if (status && status !== 'completed' && status !== 'cancelled') {
      const [own] = await tx<{ action: string; status: TaskStatus; parentTaskId: string | null }[]>`
        SELECT action, status, parent_task_id AS "parentTaskId" FROM workflow_tasks WHERE id = ${id} FOR UPDATE`;
      if (own && !own.parentTaskId && (own.status === 'completed' || own.status === 'cancelled'))
        throw conflict(`"${own.action}" is ${own.status}: a finished task cannot be re-opened or snoozed`);
    }
    if (status === 'completed') {
      const [target] = await tx<{ id: string; action: string; status: TaskStatus }[]>`
        SELECT coalesce(parent_task_id, id) AS id, action, status FROM workflow_tasks WHERE id = ${id} FOR UPDATE`;
      const blockers = target && target.status !== 'completed' ? await blockersOf(tx, [target.id]) : [];
      if (blockers.length)
        throw conflict(`"${target!.action}" cannot be completed before the tasks it waits for: ${blockerList(blockers)}`);
    }
    const [row] = await tx<TaskRow[]>`
      UPDATE workflow_tasks SET
        status = coalesce(${status ?? null}, CASE WHEN ${patch.snoozedUntil === null} AND status = 'snoozed' THEN 'pending' ELSE status END),
        due_date = coalesce(${patch.dueDate ?? null}::date, due_date),
        snoozed_until = CASE WHEN ${patch.snoozedUntil !== undefined} THEN ${patch.snoozedUntil ?? null}::timestamptz ELSE snoozed_until END,
        completed_at = CASE WHEN coalesce(${status ?? null}, status) = 'completed' THEN coalesce(completed_at, now()) ELSE NULL END,
        ${markForRemirror(tx)}
      -- A proposal (an AI task awaiting approval) has no execution status: NULL must not read as "running".
      WHERE id = ${id} AND NOT (auto_execute AND execution_status IS NOT DISTINCT FROM 'running')
      RETURNING ${taskColumns(tx)}`;
    if (row?.parentTaskId) await tx`UPDATE workflow_tasks SET ${markForRemirror(tx)} WHERE id = ${row.parentTaskId}`;
    if (!row) return undefined;
    const finished = !row.parentTaskId && (row.status === 'completed' || row.status === 'cancelled');
    return { ...row, unblocked: finished ? await unblockDependents(tx, [row.id]) : [] };
  });
}

/**
 * Approves an AI task proposed after finalize (an engagement rule's contact update): queued for the executor at once.
 * Undefined when it is not waiting for approval (already approved, cancelled, or never proposed).
 */
export async function approveProposedTask(sql: Sql, id: string): Promise<TaskRow | undefined> {
  const [row] = await sql<TaskRow[]>`
    UPDATE workflow_tasks SET awaiting_approval = false, execution_status = 'queued', run_after = now(), updated_at = now()
     WHERE id = ${id} AND awaiting_approval AND auto_execute AND status <> 'cancelled'
    RETURNING ${taskColumns(sql)}`;
  return row;
}

export async function subTasksOf(sql: Sql, parentIds: string[]): Promise<TaskRow[]> {
  if (parentIds.length === 0) return [];
  return sql<TaskRow[]>`
    SELECT ${taskColumns(sql)} FROM workflow_tasks WHERE parent_task_id IN ${sql(parentIds)} ORDER BY plan_task_key`;
}
