import { notify } from './notifications.ts';
import type { Sql } from './sql.ts';

interface ScheduledWorkflowRow {
  id: string;
  sourceExecutionId: string;
  sourceStage: string;
  opportunityId: string;
  stage: string;
  name: string;
  triggerDate: string;
  status: 'scheduled' | 'started' | 'cancelled';
  startedExecutionId: string | null;
  /** Who the started workflow acts for: the previous execution's CSM. */
  csmUserId: string;
}

const select = (sql: Sql) => sql`
  SELECT w.id, w.source_execution_id AS "sourceExecutionId", e.stage AS "sourceStage", w.opportunity_id AS "opportunityId",
         w.stage, w.name, to_char(w.trigger_date, 'YYYY-MM-DD') AS "triggerDate", w.status,
         w.started_execution_id AS "startedExecutionId", coalesce(e.csm_user_id, e.started_by) AS "csmUserId"
    FROM scheduled_workflows w JOIN workflow_executions e ON e.id = w.source_execution_id`;

export async function getScheduledWorkflow(sql: Sql, id: string): Promise<ScheduledWorkflowRow | undefined> {
  const [row] = await sql<ScheduledWorkflowRow[]>`${select(sql)} WHERE w.id = ${id}`;
  return row;
}

/** The opportunity's workflows still waiting for their date. */
export function pendingScheduledWorkflows(sql: Sql, opportunityId: string): Promise<ScheduledWorkflowRow[]> {
  return sql<ScheduledWorkflowRow[]>`${select(sql)} WHERE w.opportunity_id = ${opportunityId} AND w.status = 'scheduled'`;
}

/** Marks a scheduled workflow started (once: a second call, or the cron's own marking, changes nothing). */
export async function markScheduledStarted(sql: Sql, id: string, executionId: string): Promise<boolean> {
  const rows = await sql`
    UPDATE scheduled_workflows SET status = 'started', started_execution_id = ${executionId}, updated_at = now()
     WHERE id = ${id} AND status = 'scheduled' RETURNING id`;
  return rows.length === 1;
}

/** Cancels a scheduled workflow that has not started (its opportunity is no longer a renewal). */
export async function cancelScheduledWorkflow(sql: Sql, id: string): Promise<void> {
  await sql`UPDATE scheduled_workflows SET status = 'cancelled', updated_at = now() WHERE id = ${id} AND status = 'scheduled'`;
}

/**
 * Moves a scheduled workflow to a new stage and date after the renewal date changed, and tells the CSM in the
 * same transaction (one notification per new date).
 */
export async function rescheduleWorkflow(
  sql: Sql,
  r: { id: string; stage: string; name: string; triggerDate: string; userId: string; opportunityId: string; message: string },
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`UPDATE scheduled_workflows SET stage = ${r.stage}, name = ${r.name}, trigger_date = ${r.triggerDate}, updated_at = now()
              WHERE id = ${r.id} AND status = 'scheduled'`;
    await notify(tx, [
      {
        userId: r.userId,
        opportunityId: r.opportunityId,
        kind: 'workflow-rescheduled',
        title: 'Renewal date moved',
        body: r.message,
        dedupeKey: `workflow-rescheduled:${r.id}:${r.stage}:${r.triggerDate}`,
      },
    ]);
  });
}

/** Keeps every live execution of the opportunity on the renewal date Salesforce now holds. */
export async function refreshRenewalDate(sql: Sql, opportunityId: string, renewalDate: string, daysToRenewal: number): Promise<void> {
  await sql`
    UPDATE workflow_executions SET renewal_date = ${renewalDate}, days_to_renewal = ${daysToRenewal}, updated_at = now()
     WHERE opportunity_id = ${opportunityId} AND status = 'in_progress'
       AND (renewal_date <> ${renewalDate} OR days_to_renewal <> ${daysToRenewal})`;
}
