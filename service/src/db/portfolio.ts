import type { IsoDate } from '../calendar/dates.ts';
import type { Sql } from './sql.ts';

/** The plan and task state of one opportunity, as the portfolio shows it. */
export interface PlanTaskState {
  opportunityId: string;
  /** The current plan: the latest live execution's finalized plan, else its latest draft; null when none. */
  planStatus: 'draft' | 'finalized' | null;
  /** The renewal date the finalized plan was made for (a re-plan is needed when Salesforce now holds another). */
  plannedRenewalDate: IsoDate | null;
  /** CSM tasks (not sub-tasks) of finalized plans not completed or cancelled; overdue: due before today, not snoozed. */
  openCsmTasks: number;
  overdueCsmTasks: number;
  /** AI tasks of finalized plans that failed for good. */
  failedAiTasks: number;
  /** The latest open, click or reply of an email the plan tracks. */
  lastEmailEngagementAt: Date | null;
}

/**
 * The plan and task state of every opportunity of a portfolio page, in one statement (reads the executions by
 * opportunity, the tasks of finalized plans by opportunity, and the email tracking records by opportunity).
 */
export async function planTaskStates(sql: Sql, opportunityIds: string[], today: IsoDate): Promise<Map<string, PlanTaskState>> {
  if (opportunityIds.length === 0) return new Map();
  const rows = await sql<PlanTaskState[]>`
    WITH ids AS (SELECT unnest(${opportunityIds}::text[]) AS opportunity_id),
    plan AS (
      SELECT DISTINCT ON (e.opportunity_id) e.opportunity_id, p.status, p.context->'opportunity'->>'renewalDate' AS renewal_date
        FROM workflow_executions e JOIN action_plans p ON p.execution_id = e.id
       WHERE e.opportunity_id = ANY(${opportunityIds}::text[]) AND e.status <> 'cancelled' AND p.status IN ('draft', 'finalized')
       ORDER BY e.opportunity_id, e.created_at DESC, (p.status = 'finalized') DESC, p.version DESC),
    tasks AS (
      SELECT t.opportunity_id,
             count(*) FILTER (WHERE t.owner = 'CSM' AND t.parent_task_id IS NULL AND t.status IN ('pending', 'in_progress', 'snoozed')) AS open,
             count(*) FILTER (WHERE t.owner = 'CSM' AND t.parent_task_id IS NULL AND t.status IN ('pending', 'in_progress')
                                AND t.due_date < ${today}::date) AS overdue,
             count(*) FILTER (WHERE t.auto_execute AND t.execution_status = 'failed') AS failed
        FROM workflow_tasks t JOIN action_plans p ON p.id = t.action_plan_id AND p.status = 'finalized'
       WHERE t.opportunity_id = ANY(${opportunityIds}::text[])
       GROUP BY t.opportunity_id),
    engagement AS (
      SELECT opportunity_id, max(last_event_at) AS last_at FROM email_tracking
       WHERE opportunity_id = ANY(${opportunityIds}::text[]) GROUP BY opportunity_id)
    SELECT ids.opportunity_id AS "opportunityId", plan.status AS "planStatus",
           CASE WHEN plan.status = 'finalized' THEN plan.renewal_date END AS "plannedRenewalDate",
           coalesce(tasks.open, 0)::int AS "openCsmTasks", coalesce(tasks.overdue, 0)::int AS "overdueCsmTasks",
           coalesce(tasks.failed, 0)::int AS "failedAiTasks", engagement.last_at AS "lastEmailEngagementAt"
      FROM ids LEFT JOIN plan USING (opportunity_id) LEFT JOIN tasks USING (opportunity_id) LEFT JOIN engagement USING (opportunity_id)`;
  return new Map(rows.map((r) => [r.opportunityId, r]));
}
