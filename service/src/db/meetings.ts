import type { Sql } from './sql.ts';
import { taskColumns, type TaskRow } from './tasks.ts';
import { jsonParam } from './json.ts';

/** The processor that books a meeting task as a Salesforce Event (processors/meeting-scheduler). */
const MEETING_PROCESSOR = 'meeting-scheduler';

/** The booking task of a meeting task: an AI task of its plan keyed `<meeting key>-meeting`. */
const bookingKey = (meetingKey: string) => `${meetingKey}-meeting`.slice(0, 64);

/**
 * Queues the booking of a meeting task (an AI task of the same plan that runs the meeting scheduler), or, while it is
 * still queued, replaces what it will book (a newly picked slot). One row per meeting task, so a double click or a
 * retried request queues nothing twice. Concurrency: the booking's queue row is locked first (`FOR UPDATE`): a claim
 * in progress is waited for and then seen, a later one waits for this transaction, so a pick that loses the race to
 * the executor's claim changes nothing and answers undefined.
 */
export async function queueMeetingBooking(sql: Sql, meeting: TaskRow, metadata: Record<string, unknown>): Promise<TaskRow | undefined> {
  const row = {
    action_plan_id: meeting.actionPlanId,
    execution_id: meeting.executionId,
    opportunity_id: meeting.opportunityId,
    plan_task_key: bookingKey(meeting.planTaskKey),
    owner: 'AI',
    action: `Book: ${meeting.action}`.slice(0, 500),
    description: 'Books the meeting as a Salesforce Event with its invitees.',
    priority: meeting.priority,
    due_date: meeting.dueDate,
    assignee_user_id: meeting.assigneeUserId,
    metadata: jsonParam(sql, metadata),
    auto_execute: true,
    processor: MEETING_PROCESSOR,
    execution_status: 'queued',
    execute_immediately: true,
    complexity: 'simple',
    mirror_status: 'skipped',
  };
  return sql.begin(async (tx) => {
    const [held] = await tx<{ claimed: boolean }[]>`
      SELECT q.claim_token IS NOT NULL AS claimed FROM task_queue q JOIN workflow_tasks t ON t.id = q.task_id
       WHERE t.action_plan_id = ${meeting.actionPlanId} AND t.plan_task_key = ${row.plan_task_key} FOR UPDATE OF q`;
    if (held?.claimed) return undefined;
    const [queued] = await tx<TaskRow[]>`
      INSERT INTO workflow_tasks ${tx(row)}
      ON CONFLICT (action_plan_id, plan_task_key) DO UPDATE SET metadata = EXCLUDED.metadata, updated_at = now()
        WHERE workflow_tasks.execution_status = 'queued'
      RETURNING ${taskColumns(tx)}`;
    return queued;
  });
}

/** The booking task of a meeting task, if one was queued. */
export async function meetingBooking(sql: Sql, meeting: TaskRow): Promise<TaskRow | undefined> {
  const [row] = await sql<TaskRow[]>`
    SELECT ${taskColumns(sql)} FROM workflow_tasks
     WHERE action_plan_id = ${meeting.actionPlanId} AND plan_task_key = ${bookingKey(meeting.planTaskKey)}`;
  return row;
}
