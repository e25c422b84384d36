import type { ExecutionRow } from './executions.ts';
import { reusedFragment } from './fragments.ts';
import type { PlanRow } from './plans.ts';
import type { Sql } from './sql.ts';
import { liveExecutionStatus, type Fragment } from './task-queue-state.ts';
import { taskStateColumns, type TaskState } from './tasks.ts';
import { UUID } from './uuid.ts';

/**
 * What the plan view is rendered from, read from the database: its stamp (a fingerprint of everything it shows) and
 * its live state (the execution's shown fields, the current plan, every task's live state).
 */

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

/**
 * The execution whose id is `r.id`, by the names `PlanViewExecution` gives its shown fields, as `e` (with its row
 * version), and its current plan as `p`. LIMIT keeps `e` a subquery run once per `r` row by the primary key, whatever
 * the number of rows the planner guesses `r` has.
 */
const shownExecutionAndPlan = (sql: Sql) =>
  reusedFragment(
    sql,
    'shownExecutionAndPlan',
    () => sql`
  CROSS JOIN LATERAL (
    SELECT id, opportunity_id AS "opportunityId", stage, urgency, to_char(renewal_date, 'YYYY-MM-DD') AS "renewalDate",
           days_to_renewal AS "daysToRenewal", xmin::text AS row_version
      FROM workflow_executions WHERE id = r.id LIMIT 1) e
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

/** No task held: every task's state is sent. */
const NOTHING_HELD: HeldTasks = new Map();

/** Everything a plan view is rendered from: the execution's shown fields, the current plan's id and the live task states. */
interface LiveState {
  execution: PlanViewExecution;
  plan: { id: string; status: PlanRow['status'] } | undefined;
  tasks: LiveTaskState[];
}

const heldParameters = new WeakMap<HeldTasks, string>();

/** The held task versions as one text (`;` never occurs in a version): built once per held map, not at every poll. */
function heldVersions(held: HeldTasks): string {
  let versions = heldParameters.get(held);
  if (versions === undefined) heldParameters.set(held, (versions = [...held.keys()].join(';')));
  return versions;
}

/**
 * The live state as one JSON value (from `e`, `p` and `r`, whose `held` is the held versions as one text): decoded by
 * one JSON.parse, not column by column. A task whose version is held comes as its version alone.
 */
const liveObject = (sql: Sql, mirrorStuckAfterMs: number) =>
  reusedFragment(
    sql,
    `liveObject:${mirrorStuckAfterMs}`,
    () => sql`
  json_build_object('stage', e.stage, 'urgency', e.urgency, 'renewalDate', e."renewalDate", 'daysToRenewal', e."daysToRenewal",
    'opportunityId', e."opportunityId", 'planId', p.id, 'planStatus', p.status,
    'tasks', (SELECT json_agg(CASE WHEN v.version = ANY(k.held) THEN json_build_object('version', v.version) ELSE to_json(s) END)
                FROM (SELECT string_to_array(r.held, ';') AS held) k
                CROSS JOIN workflow_tasks
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

type StampRow = { n: number; opportunityId: string; hasPlan: boolean; stamp: string; live: LiveRow | null };
interface StampRead {
  id: string;
  known: string[];
  held: HeldTasks;
  resolve: (row: StampRow | undefined) => void;
  reject: (err: unknown) => void;
}

/** The most stamp reads one statement carries. */
const STAMPS_PER_STATEMENT = 100;

/**
 * The stamp reads of one client and stuck threshold that wait for their statement. Polls arriving together (the same
 * turn of the event loop: the requests one read of the sockets brought) share one statement, with one row per read:
 * every read still starts after its request arrived, so none is answered from an older read, and each row is computed
 * alone (reads of one execution are not merged). A lone poll is a statement of one row.
 */
class StampReads {
  private pending: StampRead[] = [];

  constructor(
    private readonly sql: Sql,
    private readonly mirrorStuckAfterMs: number,
  ) {}

  read(id: string, known: string[], held: HeldTasks): Promise<StampRow | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ id, known, held, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const reads = this.pending;
    this.pending = [];
    for (let i = 0; i < reads.length; i += STAMPS_PER_STATEMENT) void this.run(reads.slice(i, i + STAMPS_PER_STATEMENT));
  }

  private async run(reads: StampRead[]): Promise<void> {
    const { sql, mirrorStuckAfterMs } = this;
    const batch = JSON.stringify(
      reads.map((r, n) => ({ n, id: r.id, known1: r.known[0] ?? null, known2: r.known[1] ?? null, held: heldVersions(r.held) })),
    );
    try {
      // OFFSET 0 keeps `s` a subquery, so the stamp is computed once, not once for each of its three uses. The live
      // state comes along unless the stamp is one the caller could answer with.
      const rows = await sql<StampRow[]>`
        SELECT r.n, e."opportunityId", p.id IS NOT NULL AS "hasPlan", s.stamp,
               CASE WHEN s.stamp IS DISTINCT FROM r.known1 AND s.stamp IS DISTINCT FROM r.known2
                    THEN ${liveObject(sql, mirrorStuckAfterMs)} END AS live
          FROM json_to_recordset(${batch}::text::json) AS r(n int, id uuid, known1 text, known2 text, held text)
          ${shownExecutionAndPlan(sql)}
          CROSS JOIN LATERAL (SELECT ${viewStamp(sql, mirrorStuckAfterMs)} AS stamp OFFSET 0) s`;
      const byRead = new Map(rows.map((row) => [row.n, row]));
      reads.forEach((r, n) => r.resolve(byRead.get(n)));
    } catch (err) {
      for (const r of reads) r.reject(err);
    }
  }
}

const stampReads = new WeakMap<Sql, Map<number, StampReads>>();

function stampReadsOf(sql: Sql, mirrorStuckAfterMs: number): StampReads {
  let byThreshold = stampReads.get(sql);
  if (!byThreshold) stampReads.set(sql, (byThreshold = new Map()));
  let reads = byThreshold.get(mirrorStuckAfterMs);
  if (!reads) byThreshold.set(mirrorStuckAfterMs, (reads = new StampReads(sql, mirrorStuckAfterMs)));
  return reads;
}

/**
 * The first read of a plan view request: who may see it, and its stamp. Unless the stamp is one of the renderings the
 * caller could answer with (`known`, at most two: its cached view, the client's ETag), the same statement returns the
 * live state too (a task changed since), so a poll after a change costs one statement, not two; of the tasks whose
 * state the caller holds (`held`), only the changed ones are sent. Polls arriving together share a statement
 * (`StampReads`).
 */
export async function planViewStamp(
  sql: Sql,
  id: string,
  mirrorStuckAfterMs: number,
  known: string[] = [],
  held: HeldTasks = NOTHING_HELD,
): Promise<{ opportunityId: string; hasPlan: boolean; stamp: string; live?: LiveState } | undefined> {
  // Not an id any execution has (the batch's uuid column would refuse it, failing every read of the statement).
  if (!UUID.test(id)) return undefined;
  const row = await stampReadsOf(sql, mirrorStuckAfterMs).read(id, known, held);
  if (!row) return undefined;
  const head = { opportunityId: row.opportunityId, hasPlan: row.hasPlan, stamp: row.stamp };
  return row.live ? { ...head, live: liveState(row.live, held) } : head;
}

/**
 * Everything a plan view is rendered from (the tasks `held` by version sent as versions only), read as the stamp's
 * statement reads it for a stamp nobody holds. The stamp is the caller's, read before (`planViewStamp`): a change in
 * between renders newer data under an older stamp, which only costs one more render at the next request.
 */
export async function executionLiveState(
  sql: Sql,
  id: string,
  mirrorStuckAfterMs: number,
  held: HeldTasks = NOTHING_HELD,
): Promise<LiveState | undefined> {
  return (await planViewStamp(sql, id, mirrorStuckAfterMs, [], held))?.live;
}
