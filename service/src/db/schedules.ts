import { kind, notificationsFrom } from './notifications.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql } from './sql.ts';
import { jsonParam } from './json.ts';

/**
 * The database-level guard of the schedules: the first instance to record a (schedule, slot) pair runs it; every
 * other instance finds the row and skips. Works across any number of processes and hosts.
 */
export async function claimScheduleSlot(sql: Sql, name: string, slot: Date, ranBy: string): Promise<boolean> {
  const rows = await sql`
    INSERT INTO schedule_runs (name, slot, ran_by) VALUES (${name}, ${slot}, ${ranBy})
    ON CONFLICT (name, slot) DO NOTHING RETURNING name`;
  return rows.length === 1;
}

export async function finishScheduleSlot(sql: Sql, name: string, slot: Date, result: unknown): Promise<void> {
  await sql`UPDATE schedule_runs SET finished_at = now(), result = ${jsonParam(sql, result)} WHERE name = ${name} AND slot = ${slot}`;
}

/**
 * Brings back snoozed tasks whose snooze has passed at `now` (the service's clock: a snooze is business time, like a
 * due date) — status pending again, re-mirrored to Salesforce — and tells the CSM. Idempotent: a task resurfaces once
 * per snooze.
 */
export async function resurfaceSnoozedTasks(sql: Sql, now: Date): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    WITH back AS (
      UPDATE workflow_tasks SET status = 'pending', snoozed_until = NULL, 
             ${markForRemirror(sql)}
       WHERE status = 'snoozed' AND snoozed_until <= ${now}
      RETURNING id, assignee_user_id, opportunity_id, action_plan_id, action, updated_at),
    note AS (${notificationsFrom(
      sql,
      sql`SELECT assignee_user_id, opportunity_id, id, action_plan_id, ${kind('task-resurfaced')}::text, left('Back on your list: ' || action, 200), '',
             'task-resurfaced:' || id || ':' || extract(epoch FROM updated_at)::text
        FROM back WHERE assignee_user_id IS NOT NULL`,
    )})
    SELECT id FROM back`;
  return rows.map((r) => r.id);
}

interface DueWorkflow {
  id: string;
  opportunityId: string;
  stage: string;
  triggerDate: string;
  userId: string;
}

/** Scheduled next-stage workflows whose trigger date has come (on or before `today`). */
export async function dueScheduledWorkflows(sql: Sql, today: string): Promise<DueWorkflow[]> {
  return sql<DueWorkflow[]>`
    SELECT s.id, s.opportunity_id AS "opportunityId", s.stage, to_char(s.trigger_date, 'YYYY-MM-DD') AS "triggerDate",
           coalesce(e.csm_user_id, e.started_by) AS "userId"
      FROM scheduled_workflows s JOIN workflow_executions e ON e.id = s.source_execution_id
     WHERE s.status = 'scheduled' AND s.trigger_date <= ${today}::date
     ORDER BY s.trigger_date, s.id`;
}
