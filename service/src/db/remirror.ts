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
