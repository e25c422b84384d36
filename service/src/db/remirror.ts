import type { Sql, TransactionSql } from './sql.ts';

/**
 * The SET clause that marks a changed task for re-mirroring to Salesforce (pending again, unless it is never
 * mirrored). Every write that changes what the Salesforce Task shows uses it.
 */
export const markForRemirror = (sql: Sql | TransactionSql) =>
  sql`mirror_status = CASE WHEN mirror_status = 'skipped' THEN 'skipped' ELSE 'pending' END`;
