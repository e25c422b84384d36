import type { Sql } from '../service/src/db/sql.ts';

interface YearOfData {
  opportunities: number;
  /** Plan tasks (CSM and AI) of the current plans, spread over the opportunities. */
  planTasks: number;
  /** AI task rows that ran during the year and finished (success, some failed). */
  finishedAiTasks: number;
}

export const A_YEAR: YearOfData = { opportunities: 5_000, planTasks: 50_000, finishedAiTasks: 200_000 };

/** The seeded rows (their ids never meet the demo org's). */
const SEEDED = `opportunity_id LIKE '006Sc%'`;

/** An 18-character opportunity id from a series number (SQL expression), with its case-safe suffix (see `seededOpportunityId`). */
const oppId = (i: string) => `'006Sc' || lpad((${i})::text, 10, '0') || 'IAA'`;

/**
 * The id `seedYear` gives its n-th opportunity (n from 1), so an org emulator can hold the same opportunities: the
 * first 15 characters have one capital letter ('S', 4th), whence the case-safe suffix IAA.
 */
export const seededOpportunityId = (n: number): string => `006Sc${String(n).padStart(10, '0')}IAA`;

/**
 * Seeds a year of data in a few set-based statements: one execution and one finalized plan per opportunity, the plan
 * tasks, then the finished AI task rows (older plans' tasks, spread over the year), then ANALYZE so the planner sees
 * realistic statistics. Returns one execution and its opportunity to measure against.
 */
export async function seedYear(sql: Sql, y: YearOfData = A_YEAR): Promise<{ executionId: string; opportunityId: string; planId: string }> {
  await sql.unsafe(`
    INSERT INTO workflow_executions (opportunity_id, account_id, opportunity_name, account_name, stage, urgency, renewal_date,
                                     days_to_renewal, started_by, csm_user_id, created_at, updated_at)
    SELECT ${oppId('g')}, '001Sc' || lpad(g::text, 10, '0') || 'IAA', 'Opportunity ' || g, 'Account ' || g, 'Discovery', 'low',
           date '2027-05-09', 165, '0055e0000000001AAA', '0055e0000000001AAA',
           now() - (g % 365) * interval '1 day', now() - (g % 365) * interval '1 day'
      FROM generate_series(1, ${y.opportunities}) g`);
  await sql.unsafe(`
    INSERT INTO action_plans (execution_id, version, status, planner, content, context, created_by, finalized_at)
    SELECT id, 1, 'finalized', 'playbook', '{"aiTasks":[],"csmTasks":[],"timeline":[]}', '{}', '0055e0000000001AAA', created_at
      FROM workflow_executions WHERE ${SEEDED}`);
  const perPlan = Math.max(1, Math.round(y.planTasks / y.opportunities));
  // Plan tasks: CSM tasks in every status, AI tasks mostly done; created over the year.
  await sql.unsafe(`
    INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, priority, due_date,
                                status, auto_execute, processor, execution_status, executed_at, mirror_status, salesforce_task_id,
                                assignee_user_id, created_at, updated_at)
    SELECT p.id, e.id, e.opportunity_id, 'task-' || k, CASE WHEN k % 3 = 0 THEN 'AI' ELSE 'CSM' END, 'Task ' || k, 1 + k % 5,
           date '2027-01-01' + k, (ARRAY['pending','in_progress','completed','snoozed','completed'])[1 + k % 5],
           k % 3 = 0, CASE WHEN k % 3 = 0 THEN 'crm-opportunity-updater' END,
           CASE WHEN k % 3 = 0 THEN 'success' END, CASE WHEN k % 3 = 0 THEN now() - interval '1 day' END,
           'synced', '00TSc' || lpad((k * 100000 + (hashtext(e.id::text) & 65535))::text, 10, '0') || 'MAA',
           '0055e0000000001AAA', e.created_at + k * interval '1 minute', e.created_at + k * interval '1 minute'
      FROM workflow_executions e JOIN action_plans p ON p.execution_id = e.id, generate_series(1, ${perPlan}) k
     WHERE e.${SEEDED}`);
  // A year of AI task runs: earlier (superseded) plans' tasks, finished; they stay rows of the same table.
  await sql.unsafe(`
    INSERT INTO action_plans (execution_id, version, status, planner, content, context, created_by)
    SELECT id, 0, 'superseded', 'playbook', '{}', '{}', '0055e0000000001AAA' FROM workflow_executions WHERE ${SEEDED}`);
  const perOld = Math.max(1, Math.round(y.finishedAiTasks / y.opportunities));
  await sql.unsafe(`
    INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, status, auto_execute,
                                processor, execution_status, execution_result, executed_at, attempts, last_error, mirror_status,
                                assignee_user_id, created_at, updated_at)
    SELECT p.id, e.id, e.opportunity_id, 'old-' || k, 'AI', 'Old AI task ' || k, 'completed', true, 'crm-opportunity-updater',
           CASE WHEN k % 20 = 0 THEN 'failed' ELSE 'success' END, '{"summary":"done"}', now() - (k % 365) * interval '1 day', 1,
           CASE WHEN k % 20 = 0 THEN 'Salesforce INVALID_FIELD: bad field' END, 'synced', '0055e0000000001AAA',
           now() - (k % 365) * interval '1 day', now() - (k % 365) * interval '1 day'
      FROM workflow_executions e JOIN action_plans p ON p.execution_id = e.id AND p.status = 'superseded', generate_series(1, ${perOld}) k
     WHERE e.${SEEDED}`);
  // A year-old table has been vacuumed and analyzed by autovacuum many times over.
  await sql.unsafe('VACUUM ANALYZE');
  const [row] = await sql<{ executionId: string; opportunityId: string; planId: string }[]>`
    SELECT e.id AS "executionId", e.opportunity_id AS "opportunityId", p.id AS "planId"
      FROM workflow_executions e JOIN action_plans p ON p.execution_id = e.id AND p.status = 'finalized'
     WHERE e.opportunity_id LIKE '006Sc%'
     ORDER BY e.opportunity_id LIMIT 1 OFFSET ${Math.floor(y.opportunities / 2)}`;
  return row!;
}
