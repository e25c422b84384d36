import type { Sql } from './sql.ts';
import { redactSecrets } from '../secrets.ts';

/** A notification claimed for its Salesforce copy, with who finalized its plan (for the finalized-by-someone-else rule). */
export interface ClaimedNotification {
  id: string;
  userId: string;
  opportunityId: string | null;
  kind: string;
  title: string;
  body: string;
  attempts: number;
  planFinalizedBy: string | null;
}

/**
 * Claims up to `limit` notifications not yet looked at (or claimed by an instance that stopped more than `staleMs`
 * ago), oldest first. SKIP LOCKED lets every instance claim at once without sending one twice.
 */
export async function claimSalesforceNotifications(sql: Sql, limit: number, staleMs: number): Promise<ClaimedNotification[]> {
  return sql<ClaimedNotification[]>`
    UPDATE notifications n SET salesforce_state = 'sending', salesforce_attempts = n.salesforce_attempts + 1, salesforce_updated_at = now()
     WHERE n.id IN (
       SELECT id FROM notifications
        WHERE salesforce_state IS NULL
           OR (salesforce_state = 'sending' AND salesforce_updated_at < now() - ${staleMs} * interval '1 millisecond')
        ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING n.id, n.user_id AS "userId", n.opportunity_id AS "opportunityId", n.kind, n.title, n.body,
              n.salesforce_attempts AS attempts, (SELECT finalized_by FROM action_plans WHERE id = n.plan_id) AS "planFinalizedBy"`;
}

/** Records what became of claimed notifications: sent, skipped (not for Salesforce), failed for good, or due again. */
export async function settleSalesforceNotifications(
  sql: Sql,
  outcomes: { id: string; state: 'sent' | 'skipped' | 'failed' | 'retry'; error?: string }[],
): Promise<void> {
  for (const o of outcomes) {
    await sql`
      UPDATE notifications SET salesforce_state = ${o.state === 'retry' ? null : o.state}, salesforce_error = ${o.error === undefined ? null : redactSecrets(o.error)},
             salesforce_updated_at = now()
       WHERE id = ${o.id} AND salesforce_state = 'sending'`;
  }
}
