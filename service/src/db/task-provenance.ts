import { unblockDependents } from './dependencies.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql } from './sql.ts';
import { sameId } from '../salesforce/ids.ts';

/** A Task closed in Salesforce, as the completion pull read it. */
interface SalesforceClosure {
  /** The plan task id it carries in Action_Plan_Task_Id__c (lower case). */
  taskId: string;
  salesforceTaskId: string;
  whatId: string | null;
  status: string;
}

/** Why a Task carrying a plan task's key does not speak for it. */
type SkipReason = 'not-the-mirrored-task' | 'other-opportunity';

export interface SkippedTask extends SalesforceClosure {
  reason: SkipReason;
}

interface ClosureOutcome {
  completed: string[];
  /** Cancelled plan tasks whose Task was closed in Salesforce: marked to be mirrored back to Deferred. */
  remirrored: string[];
  skipped: SkippedTask[];
}

interface Target {
  id: string;
  status: string;
  salesforceTaskId: string | null;
  opportunityId: string;
}

/**
 * Whether this Task speaks for the plan task: only the Task the mirror wrote (the stored salesforce_task_id) on the
 * plan's opportunity does. The key field is typeable by anyone in the org, and a sub-task's key has no Task at all.
 */
function provenance(closure: SalesforceClosure, target: Target): SkipReason | undefined {
  if (!sameId(closure.whatId, target.opportunityId)) return 'other-opportunity';
  if (!sameId(closure.salesforceTaskId, target.salesforceTaskId)) return 'not-the-mirrored-task';
  return undefined;
}

/**
 * Applies Tasks closed in Salesforce to their plan tasks, under the provenance rule: the mirror's own Task completes an
 * open plan task (what someone did there is a fact, even before a prerequisite) and unblocks what waited for it; on a
 * cancelled plan task it changes nothing but marks the task for re-mirroring, so its Task goes back to Deferred; any
 * other Task carrying the key is skipped and recorded. A key that names no plan task is ignored (a deleted plan).
 *
 * Isolation: READ COMMITTED with the plan task rows locked (FOR UPDATE) before the decision, so a cancel, a CSM's
 * completion or the mirror recording a new salesforce_task_id cannot slip between reading the row and writing it.
 */
export async function applySalesforceClosures(sql: Sql, closures: SalesforceClosure[]): Promise<ClosureOutcome> {
  const outcome: ClosureOutcome = { completed: [], remirrored: [], skipped: [] };
  if (closures.length === 0) return outcome;
  return sql.begin(async (tx) => {
    const ids = [...new Set(closures.map((c) => c.taskId))];
    const targets = await tx<Target[]>`
      SELECT id, status, salesforce_task_id AS "salesforceTaskId", opportunity_id AS "opportunityId"
        FROM workflow_tasks WHERE id IN ${tx(ids)} ORDER BY id FOR UPDATE`;
    const byId = new Map(targets.map((t) => [t.id, t]));
    const complete = new Set<string>();
    const remirror = new Set<string>();
    for (const closure of closures) {
      const target = byId.get(closure.taskId);
      if (!target) continue;
      const reason = provenance(closure, target);
      if (reason) outcome.skipped.push({ ...closure, reason });
      else if (target.status === 'cancelled') remirror.add(target.id);
      else if (target.status !== 'completed') complete.add(target.id);
    }
    if (complete.size) {
      const rows = await tx<{ id: string }[]>`
        UPDATE workflow_tasks SET status = 'completed', completed_at = now(), updated_at = now()
         WHERE id IN ${tx([...complete])} AND status NOT IN ('completed', 'cancelled')
         RETURNING id`;
      outcome.completed = rows.map((r) => r.id);
      await unblockDependents(tx, outcome.completed);
    }
    if (remirror.size) {
      const rows = await tx<{ id: string }[]>`
        UPDATE workflow_tasks SET ${markForRemirror(tx)}, mirror_retry_at = NULL
         WHERE id IN ${tx([...remirror])} AND status = 'cancelled'
         RETURNING id`;
      outcome.remirrored = rows.map((r) => r.id);
    }
    for (const s of outcome.skipped)
      await tx`
        INSERT INTO salesforce_task_skips (salesforce_task_id, action_plan_task_id, what_id, reason, status)
        VALUES (${s.salesforceTaskId}, ${s.taskId}, ${s.whatId}, ${s.reason}, ${s.status})
        ON CONFLICT (salesforce_task_id) DO UPDATE SET action_plan_task_id = excluded.action_plan_task_id,
          what_id = excluded.what_id, reason = excluded.reason, status = excluded.status,
          times_seen = salesforce_task_skips.times_seen + 1, last_seen_at = now()`;
    return outcome;
  });
}

interface SkippedTaskRow {
  salesforceTaskId: string;
  actionPlanTaskId: string;
  whatId: string | null;
  reason: SkipReason;
  status: string | null;
  timesSeen: number;
  lastSeenAt: Date;
}

/** The Salesforce Tasks the completion pull skipped (not the mirror's), latest first, and how many there are. */
export async function skippedSalesforceTasks(sql: Sql, limit: number): Promise<{ total: number; rows: SkippedTaskRow[] }> {
  const [count] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM salesforce_task_skips`;
  const rows = await sql<SkippedTaskRow[]>`
    SELECT salesforce_task_id AS "salesforceTaskId", action_plan_task_id AS "actionPlanTaskId", what_id AS "whatId",
           reason, status, times_seen AS "timesSeen", last_seen_at AS "lastSeenAt"
      FROM salesforce_task_skips ORDER BY last_seen_at DESC, salesforce_task_id LIMIT ${limit}`;
  return { total: count!.n, rows };
}

/** Skipped Salesforce Tasks by reason (for the metrics, read at scrape time so every instance agrees). */
export async function skippedSalesforceTaskCounts(sql: Sql): Promise<Record<SkipReason, number>> {
  const rows = await sql<{ reason: SkipReason; n: number }[]>`
    SELECT reason, count(*)::int AS n FROM salesforce_task_skips GROUP BY reason`;
  const counts: Record<SkipReason, number> = { 'not-the-mirrored-task': 0, 'other-opportunity': 0 };
  for (const r of rows) counts[r.reason] = r.n;
  return counts;
}
