import { waitsForUnfinished } from './dependencies.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql } from './sql.ts';

/**
 * Plan tasks whose Salesforce Task someone set to a Status the service does not hold, which the mirror must write
 * back: a finished task (completed, or cancelled: "Deferred") re-opened there, or a blocked task ("Waiting on someone
 * else") started there. The service's state is the truth for these: what waited for a finished task may already have
 * run, and a blocked task cannot start before its prerequisites (re-open or complete them in the app). A completion
 * made in Salesforce is not one of these: it is pulled (completeTasksFromSalesforce). `open` pairs a plan task id with
 * the Status its open Salesforce Task shows now; tasks with a change still to mirror are left to the mirror. Returns
 * the ids marked for re-mirroring.
 */
export async function remirrorOverriddenTasks(sql: Sql, open: { taskId: string; status: string }[]): Promise<string[]> {
  if (open.length === 0) return [];
  const rows = await sql<{ id: string }[]>`
    UPDATE workflow_tasks t SET ${markForRemirror(sql)}
      FROM unnest(${open.map((o) => o.taskId)}::uuid[], ${open.map((o) => o.status)}::text[]) AS o(id, status)
     WHERE t.id = o.id AND t.mirror_status = 'synced' AND t.parent_task_id IS NULL
       AND (t.status = 'completed'
         OR (t.status = 'cancelled' AND o.status <> 'Deferred')
         OR (t.status IN ('pending', 'in_progress') AND o.status <> 'Waiting on someone else' AND ${waitsForUnfinished(sql, sql`t.id`)}))
    RETURNING t.id`;
  return rows.map((r) => r.id);
}
