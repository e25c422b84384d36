import { waitsForUnfinished } from './dependencies.ts';
import type { TaskStatusMap } from '../salesforce/task-statuses.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql } from './sql.ts';

/**
 * Plan tasks whose Salesforce Task someone set to a Status the service does not hold, which the mirror must write
 * back: a finished task (completed, or cancelled: "Deferred") re-opened there, or a blocked task ("Waiting on someone
 * else") started there. The service's state is the truth for these: what waited for a finished task may already have
 * run, and a blocked task cannot start before its prerequisites (re-open or complete them in the app). A completion
 * made in Salesforce is not one of these: it is pulled (task-provenance.ts). `open` pairs a plan task id with the
 * Salesforce Task that changed and the Status it shows now; only the Task the mirror wrote speaks for its plan task
 * (its id is the stored salesforce_task_id: another Task carrying the key is not re-asserted over), and tasks with a
 * change still to mirror are left to the mirror. `statuses` are the org's (a customised picklist's "Deferred" and
 * "waiting" values). Returns the ids marked for re-mirroring.
 */
export async function remirrorOverriddenTasks(
  sql: Sql,
  open: { taskId: string; salesforceTaskId: string; status: string }[],
  statuses: Pick<TaskStatusMap, 'deferred' | 'waiting'>,
): Promise<string[]> {
  if (open.length === 0) return [];
  const rows = await sql<{ id: string }[]>`
    UPDATE workflow_tasks t SET ${markForRemirror(sql)}
      FROM unnest(${open.map((o) => o.taskId)}::uuid[], ${open.map((o) => o.salesforceTaskId)}::text[], ${open.map((o) => o.status)}::text[])
        AS o(id, sf_id, status)
     WHERE t.id = o.id AND t.salesforce_task_id = o.sf_id AND t.mirror_status = 'synced' AND t.parent_task_id IS NULL
       AND (t.status = 'completed'
         OR (t.status = 'cancelled' AND o.status <> ${statuses.deferred})
         OR (t.status IN ('pending', 'in_progress') AND o.status <> ${statuses.waiting} AND ${waitsForUnfinished(sql, sql`t.id`)}))
    RETURNING t.id`;
  return rows.map((r) => r.id);
}
