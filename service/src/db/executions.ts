import type { PlanRow } from './plans.ts';
import { taskStateColumns, type TaskState } from './tasks.ts';
import { liveExecutionStatus, type Fragment } from './task-queue-state.ts';
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
 * One task's part of the view stamp, for the `workflow_tasks` row `t`: its id and row version (`xmin`, new on every
 * update of the row), its live status (a claim changes only its queue row) and whether its copy to Salesforce has
 * waited past `mirrorStuckAfterMs` (time alone makes it stuck). Everything the view shows of a task follows from these,
 * so it is also the key under which an instance keeps a task's state it read (`HeldTasks`).
 */
const taskVersion = (sql: Sql, t: Fragment, mirrorStuckAfterMs: number) =>
  sql`concat_ws(',', ${t}.id, ${t}.xmin, ${liveExecutionStatus(sql, t)},
                (${t}.mirror_pending_since < now() - ${mirrorStuckAfterMs} * interval '1 millisecond'))`;

/**
 * A fingerprint of everything the plan view shows, computed in the database: the row versions of the execution and
 * the current plan, and each of its tasks' versions (`taskVersion`). Equal stamps mean an identical view, so a cached
 * rendering can be served (and an ETag answered with 304) without reading or rendering anything. Row versions rather
 * than the shown columns: a change to any column of a task (an assignee, an approval) changes the stamp, and no column
 * is converted to text per poll.
 */
const viewStamp = (sql: Sql, mirrorStuckAfterMs: number) =>
  reusedFragment(
    sql,
    `viewStamp:${mirrorStuckAfterMs}`,
    () => sql`
  md5(concat_ws('|', e.row_version, p.id::text, p.row_version,
    (SELECT string_agg(${taskVersion(sql, sql`t`, mirrorStuckAfterMs)}, ';' ORDER BY t.id)
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

/** A task's live state with its version (`taskVersion`): the same version always stands for the same state. */
export type LiveTaskState = TaskState & { version: string };

/**
 * Task states an instance read before, by version: the live state's statement sends only the version of a task whose
 * version is among them (it did not change), so a poll after one task changed reads and parses one task, not all.
 * Never changed in place: a caller passes the map it holds, and keeps a new one for the next read.
 */
export type HeldTasks = ReadonlyMap<string, LiveTaskState>;

/** Everything a plan view is rendered from: the execution's shown fields, the current plan's id and the live task states. */
interface LiveState {
  execution: PlanViewExecution;
  plan: { id: string; status: PlanRow['status'] } | undefined;
  tasks: LiveTaskState[];
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

const heldParameters = new WeakMap<HeldTasks, string>();

/** The held task versions as one text (`;` never occurs in a version): built once per held map, not at every poll. */
function heldVersions(held: HeldTasks): string {
  let versions = heldParameters.get(held);
  if (versions === undefined) heldParameters.set(held, (versions = [...held.keys()].join(';')));
  return versions;
}

/** `liveObject` over the held versions: evaluated only where it stands (in planViewStamp, only when the stamp is new). */
const liveOf = (sql: Sql, mirrorStuckAfterMs: number, held: HeldTasks) =>
  sql`(SELECT ${liveObject(sql, mirrorStuckAfterMs)} FROM (SELECT string_to_array(${heldVersions(held)}::text, ';') AS held) k)`;

/**
 * The live state as one JSON value (from `e`, `p` and `k`): decoded by one JSON.parse, not column by column. A task
 * whose version is held comes as its version alone.
 */
const liveObject = (sql: Sql, mirrorStuckAfterMs: number) =>
  reusedFragment(
    sql,
    `liveObject:${mirrorStuckAfterMs}`,
    () => sql`
  json_build_object('stage', e.stage, 'urgency', e.urgency, 'renewalDate', e."renewalDate", 'daysToRenewal', e."daysToRenewal",
    'opportunityId', e."opportunityId", 'planId', p.id, 'planStatus', p.status,
    'tasks', (SELECT json_agg(CASE WHEN v.version = ANY(k.held) THEN json_build_object('version', v.version) ELSE to_json(s) END)
                FROM workflow_tasks
                CROSS JOIN LATERAL (SELECT ${taskVersion(sql, sql`workflow_tasks`, mirrorStuckAfterMs)} AS version) v
                CROSS JOIN LATERAL (SELECT ${taskStateColumns(sql)}, v.version) s
               WHERE workflow_tasks.action_plan_id = p.id))`,
  );

type LiveRow = PlanViewExecution & {
  planId: string | null;
  planStatus: PlanRow['status'] | null;
  tasks: (LiveTaskState | { version: string; id?: undefined })[] | null;
};

function liveState(
  { planId, planStatus, tasks, stage, urgency, daysToRenewal, renewalDate, opportunityId }: LiveRow,
  held: HeldTasks,
): LiveState {
  const at = (v: unknown) => (v ? new Date(v as string) : null);
  return {
    execution: { stage, urgency, daysToRenewal, renewalDate, opportunityId },
    plan: planId ? { id: planId, status: planStatus! } : undefined,
    tasks: (tasks ?? []).map((t) => {
      if (t.id === undefined) {
        // Sent as held only because the statement was given this very map's versions.
        const state = held.get(t.version);
        if (!state) throw new Error(`The live state named task version ${t.version}, which the caller does not hold`);
        return state;
      }
      return { ...t, snoozedUntil: at(t.snoozedUntil), executedAt: at(t.executedAt), mirrorRetryAt: at(t.mirrorRetryAt) };
    }),
  };
}

/**
 * The first read of a plan view request: who may see it, and its stamp. Unless the stamp is one of the renderings the
 * caller could answer with (`known`, at most two: its cached view, the client's ETag), the same statement returns the
 * live state too (a task changed since), so a poll after a change costs one statement, not two; of the tasks whose
 * state the caller holds (`held`), only the changed ones are sent.
 */
export async function planViewStamp(
  sql: Sql,
  id: string,
  mirrorStuckAfterMs: number,
  known: string[] = [],
  held: HeldTasks = new Map(),
): Promise<{ opportunityId: string; hasPlan: boolean; stamp: string; live?: LiveState } | undefined> {
  // OFFSET 0 keeps `s` a subquery, so the stamp is computed once, not once for each of its three uses.
  const [row] = await sql<{ opportunityId: string; hasPlan: boolean; stamp: string; live: LiveRow | null }[]>`
    SELECT e."opportunityId", p.id IS NOT NULL AS "hasPlan", s.stamp,
           CASE WHEN s.stamp IS DISTINCT FROM ${known[0] ?? null}::text AND s.stamp IS DISTINCT FROM ${known[1] ?? null}::text
                THEN ${liveOf(sql, mirrorStuckAfterMs, held)} END AS live
    FROM ${shownExecutionAndPlan(sql)}
    CROSS JOIN LATERAL (SELECT ${viewStamp(sql, mirrorStuckAfterMs)} AS stamp OFFSET 0) s
    WHERE e.id = ${id}`;
  if (!row) return undefined;
  const head = { opportunityId: row.opportunityId, hasPlan: row.hasPlan, stamp: row.stamp };
  return row.live ? { ...head, live: liveState(row.live, held) } : head;
}

/**
 * Everything a plan view is rendered from, in one statement (the tasks `held` by version sent as versions only). The
 * stamp is the caller's, read just before (`planViewStamp`): a change in between renders newer data under an older
 * stamp, which only costs one more render at the next request.
 */
export async function executionLiveState(
  sql: Sql,
  id: string,
  mirrorStuckAfterMs: number,
  held: HeldTasks = new Map(),
): Promise<LiveState | undefined> {
  const [row] = await sql<{ live: LiveRow }[]>`
    SELECT ${liveOf(sql, mirrorStuckAfterMs, held)} AS live FROM ${shownExecutionAndPlan(sql)} WHERE e.id = ${id}`;
  return row && liveState(row.live, held);
}
export { columns as executionColumns };
