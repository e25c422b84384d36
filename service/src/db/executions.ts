import type { PlanRow } from './plans.ts';
import { taskStateSelect, type TaskState } from './tasks.ts';
import { liveExecutionStatus } from './task-queue-state.ts';
import type { Sql, TransactionSql } from './sql.ts';
import { jsonParam } from './json.ts';
import { reusedFragment } from './fragments.ts';

/** A workflow step as stored on the execution (the `steps` JSONB): its state, the CSM's input and its result. */
export interface ExecutionStep {
  id: string;
  name: string;
  type: 'input' | 'analysis' | 'review' | 'planning';
  status: 'pending' | 'done' | 'skipped';
  /** True when the step waits for the CSM's input before it can run. */
  needsInput?: boolean;
  input?: unknown;
  /** A StepResult (workflows/steps/types.ts) once the step ran. */
  result?: Record<string, unknown> | null;
  skipReason?: string | null;
}

export interface ExecutionRow {
  id: string;
  opportunityId: string;
  accountId: string | null;
  opportunityName: string;
  accountName: string | null;
  stage: string;
  urgency: string;
  renewalDate: string;
  daysToRenewal: number;
  status: 'in_progress' | 'completed' | 'cancelled';
  steps: ExecutionStep[];
  startedBy: string;
  csmUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (sql: Sql | TransactionSql) => sql`
  id, opportunity_id AS "opportunityId", account_id AS "accountId", opportunity_name AS "opportunityName",
  account_name AS "accountName", stage, urgency, to_char(renewal_date, 'YYYY-MM-DD') AS "renewalDate",
  days_to_renewal AS "daysToRenewal", status, steps, started_by AS "startedBy", csm_user_id AS "csmUserId",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

type NewExecution = Omit<ExecutionRow, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

/** Creates the execution for an opportunity's stage, or returns the live one (`created` false) if it exists. */
export async function startExecution(sql: Sql, e: NewExecution): Promise<{ execution: ExecutionRow; created: boolean }> {
  const inserted = await sql<ExecutionRow[]>`
    INSERT INTO workflow_executions (opportunity_id, account_id, opportunity_name, account_name, stage, urgency,
      renewal_date, days_to_renewal, steps, started_by, csm_user_id)
    VALUES (${e.opportunityId}, ${e.accountId}, ${e.opportunityName}, ${e.accountName}, ${e.stage}, ${e.urgency},
      ${e.renewalDate}, ${e.daysToRenewal}, ${jsonParam(sql, e.steps)}, ${e.startedBy}, ${e.csmUserId})
    ON CONFLICT (opportunity_id, stage) WHERE status <> 'cancelled' DO NOTHING
    RETURNING ${columns(sql)}`;
  if (inserted[0]) return { execution: inserted[0], created: true };
  const [existing] = await sql<ExecutionRow[]>`
    UPDATE workflow_executions
       SET days_to_renewal = ${e.daysToRenewal}, renewal_date = ${e.renewalDate}, opportunity_name = ${e.opportunityName},
           account_name = ${e.accountName}, updated_at = now()
     WHERE opportunity_id = ${e.opportunityId} AND stage = ${e.stage} AND status <> 'cancelled'
    RETURNING ${columns(sql)}`;
  return { execution: existing!, created: false };
}

export async function getExecution(sql: Sql, id: string): Promise<ExecutionRow | undefined> {
  const [row] = await sql<ExecutionRow[]>`SELECT ${columns(sql)} FROM workflow_executions WHERE id = ${id}`;
  return row;
}

/**
 * The opportunity's execution the card shows: the newest one not cancelled (the stage workflows follow each other, so
 * the newest is the current stage's), or undefined when no workflow was started yet. A read: it creates nothing.
 */
export async function latestExecution(sql: Sql, opportunityId: string): Promise<ExecutionRow | undefined> {
  const [row] = await sql<ExecutionRow[]>`
    SELECT ${columns(sql)} FROM workflow_executions
     WHERE opportunity_id = ${opportunityId} AND status <> 'cancelled'
     ORDER BY created_at DESC, id DESC LIMIT 1`;
  return row;
}

/**
 * The opportunities that have a live or finished action-plan execution (not only cancelled ones): the renewals, when
 * the org gives no other way to tell (RENEWAL_CRITERIA's fallback). Sorted, so the query built from them is stable.
 */
export async function opportunityIdsWithExecutions(sql: Sql): Promise<string[]> {
  const rows = await sql<{ opportunityId: string }[]>`
    SELECT DISTINCT opportunity_id AS "opportunityId" FROM workflow_executions
     WHERE status <> 'cancelled' ORDER BY opportunity_id`;
  return rows.map((r) => r.opportunityId);
}

/**
 * A fingerprint of everything the plan view shows, computed in the database: the row versions (`xmin`, new on every
 * update of a row) of the execution, the current plan and each of its tasks, each task's live status (a claim changes
 * only its queue row) and whether its copy to Salesforce has waited past `mirrorStuckAfterMs` (time alone makes it
 * stuck). Equal stamps mean an identical view, so a cached rendering can be served (and an ETag answered with 304)
 * without reading or rendering anything. Row versions rather than the shown columns: a change to any column of a
 * task (an assignee, an approval) changes the stamp, and no column is converted to text per poll.
 */
const viewStamp = (sql: Sql, mirrorStuckAfterMs: number) =>
  reusedFragment(
    sql,
    `viewStamp:${mirrorStuckAfterMs}`,
    () => sql`
  md5(concat_ws('|', e.row_version, p.id::text, p.row_version,
    (SELECT string_agg(concat_ws(',', t.id, t.xmin, ${liveExecutionStatus(sql, sql`t`)},
                                 (t.mirror_pending_since < now() - ${mirrorStuckAfterMs} * interval '1 millisecond')), ';' ORDER BY t.id)
       FROM workflow_tasks t WHERE t.action_plan_id = p.id)))`,
  );

const currentPlanJoin = (sql: Sql) =>
  reusedFragment(
    sql,
    'currentPlanJoin',
    () => sql`
  LEFT JOIN LATERAL (
    SELECT id, status, xmin::text AS row_version FROM action_plans
     WHERE execution_id = e.id AND status <> 'superseded'
     ORDER BY version DESC LIMIT 1) p ON true`,
  );

/** What the plan view shows of its execution (not the steps: their outputs are the largest column and not shown). */
export type PlanViewExecution = Pick<ExecutionRow, 'stage' | 'urgency' | 'daysToRenewal' | 'renewalDate' | 'opportunityId'>;

/** Everything a plan view is rendered from: the execution's shown fields, the current plan's id and the live task states. */
interface LiveState {
  execution: PlanViewExecution;
  plan: { id: string; status: PlanRow['status'] } | undefined;
  tasks: TaskState[];
}

/**
 * The execution's shown fields, by the names `PlanViewExecution` gives them, as `e` (with its id and row version), and
 * the current plan as `p`; the statement picks the execution (`WHERE e.id = …`).
 */
const shownExecutionAndPlan = (sql: Sql) =>
  reusedFragment(
    sql,
    'shownExecutionAndPlan',
    () => sql`
  (SELECT id, opportunity_id AS "opportunityId", stage, urgency, to_char(renewal_date, 'YYYY-MM-DD') AS "renewalDate",
          days_to_renewal AS "daysToRenewal", xmin::text AS row_version
     FROM workflow_executions) e
  ${currentPlanJoin(sql)}`,
  );

/** The live state as one JSON value (from `e` and `p`): decoded by one JSON.parse, not column by column. */
const liveObject = (sql: Sql) =>
  reusedFragment(
    sql,
    'liveObject',
    () => sql`
  json_build_object('stage', e.stage, 'urgency', e.urgency, 'renewalDate', e."renewalDate", 'daysToRenewal', e."daysToRenewal",
    'opportunityId', e."opportunityId", 'planId', p.id, 'planStatus', p.status,
    'tasks', (SELECT json_agg(t) FROM (${taskStateSelect(sql)} WHERE action_plan_id = p.id) t))`,
  );

type LiveRow = PlanViewExecution & { planId: string | null; planStatus: PlanRow['status'] | null; tasks: TaskState[] | null };

function liveState({ planId, planStatus, tasks, stage, urgency, daysToRenewal, renewalDate, opportunityId }: LiveRow): LiveState {
  const at = (v: unknown) => (v ? new Date(v as string) : null);
  return {
    execution: { stage, urgency, daysToRenewal, renewalDate, opportunityId },
    plan: planId ? { id: planId, status: planStatus! } : undefined,
    tasks: (tasks ?? []).map((t) => ({
      ...t,
      snoozedUntil: at(t.snoozedUntil),
      executedAt: at(t.executedAt),
      mirrorRetryAt: at(t.mirrorRetryAt),
    })),
  };
}

/**
 * The first read of a plan view request: who may see it, and its stamp. Unless the stamp is one of the renderings the
 * caller could answer with (`known`, at most two: its cached view, the client's ETag), the same statement returns the
 * live state too (a task changed since), so a poll after a change costs one statement, not two.
 */
export async function planViewStamp(
  sql: Sql,
  id: string,
  mirrorStuckAfterMs: number,
  known: string[] = [],
): Promise<{ opportunityId: string; hasPlan: boolean; stamp: string; live?: LiveState } | undefined> {
  // OFFSET 0 keeps `s` a subquery, so the stamp is computed once, not once for each of its three uses.
  const [row] = await sql<{ opportunityId: string; hasPlan: boolean; stamp: string; live: LiveRow | null }[]>`
    SELECT e."opportunityId", p.id IS NOT NULL AS "hasPlan", s.stamp,
           CASE WHEN s.stamp IS DISTINCT FROM ${known[0] ?? null}::text AND s.stamp IS DISTINCT FROM ${known[1] ?? null}::text
                THEN ${liveObject(sql)} END AS live
    FROM ${shownExecutionAndPlan(sql)}
    CROSS JOIN LATERAL (SELECT ${viewStamp(sql, mirrorStuckAfterMs)} AS stamp OFFSET 0) s
    WHERE e.id = ${id}`;
  if (!row) return undefined;
  const head = { opportunityId: row.opportunityId, hasPlan: row.hasPlan, stamp: row.stamp };
  return row.live ? { ...head, live: liveState(row.live) } : head;
}

/**
 * Everything a plan view is rendered from, in one statement. The stamp is the caller's, read just before
 * (`planViewStamp`): a change in between renders newer data under an older stamp, which only costs one more render at
 * the next request.
 */
export async function executionLiveState(sql: Sql, id: string): Promise<LiveState | undefined> {
  const [row] = await sql<{ live: LiveRow }[]>`
    SELECT ${liveObject(sql)} AS live FROM ${shownExecutionAndPlan(sql)} WHERE e.id = ${id}`;
  return row && liveState(row.live);
}
export { columns as executionColumns };
