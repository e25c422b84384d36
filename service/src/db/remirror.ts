import type { Sql, TransactionSql } from './sql.ts';

/**
 * The SET clause that marks a changed task for re-mirroring to Salesforce (pending again, unless it is never
 * mirrored), and moves its `updated_at` on. Every write that changes what the Salesforce Task shows uses it.
 *
 * `updated_at` is the row's version for the mirror: the mirror reads a task, writes its Task, then records "synced"
 * only if `updated_at` did not move since its read (recordMirrorResults). `now()` is the start of the writing
 * transaction, so a transaction that began before the mirror's read but committed after it (one that waited on a row
 * lock, as two completions of one dependent's prerequisites do) would write an older time and its change would be
 * taken as mirrored. Hence strictly later than the version it overwrites, and no earlier than the clock: whichever
 * transaction commits last leaves the task pending. (Milliseconds: the mirror compares at JavaScript's precision.)
 */
export const markForRemirror = (sql: Sql | TransactionSql) =>
  sql`mirror_status = CASE WHEN mirror_status = 'skipped' THEN 'skipped' ELSE 'pending' END,
      updated_at = greatest(clock_timestamp(), updated_at + interval '1 millisecond')`;

/**
 * Plan tasks the service holds as finished (completed or cancelled) whose Salesforce Task someone re-opened: marked
 * for re-mirroring, so the mirror writes the service's status back. The service's state is the truth for a finished
 * task: what waited for it may already have run, so a re-open in Salesforce cannot undo it (re-open it in the app).
 * `open` pairs a plan task id with the Status its open Salesforce Task now shows. Returns the ids marked.
 */
export async function remirrorReopenedTasks(sql: Sql, open: { taskId: string; status: string }[]): Promise<string[]> {
  if (open.length === 0) return [];
  const rows = await sql<{ id: string }[]>`
    UPDATE workflow_tasks t SET ${markForRemirror(sql)}
      FROM unnest(${open.map((o) => o.taskId)}::uuid[], ${open.map((o) => o.status)}::text[]) AS o(id, status)
     WHERE t.id = o.id AND (t.status = 'completed' OR (t.status = 'cancelled' AND o.status <> 'Deferred'))
       AND t.mirror_status = 'synced'
    RETURNING t.id`;
  return rows.map((r) => r.id);
}
