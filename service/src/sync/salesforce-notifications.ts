import type { SalesforceNotificationKind } from '../config.ts';
import type { NotificationKind } from '../db/notifications.ts';
import { claimSalesforceNotifications, settleSalesforceNotifications, type ClaimedNotification } from '../db/salesforce-notifications.ts';
import type { Deps } from '../deps.ts';
import { sameId } from '../salesforce/ids.ts';
import { redactSecrets } from '../secrets.ts';

/** The service's notification kinds that also go to Salesforce, by the setting that turns them on. */
const SALESFORCE_KIND: Partial<Record<NotificationKind, SalesforceNotificationKind>> = {
  'ai-task-failed': 'ai-task-failed', // failed for good (retries are not notified)
  'mirror-failed': 'task-rejected', // Salesforce rejected the Task copy
  'replan-needed': 'replan-needed', // the renewal date moved, or the opportunity changed stage
  'plan-finalized': 'finalized-by-other',
  'plan-updated': 'finalized-by-other',
};

const BATCH = 50;
const MAX_ATTEMPTS = 5;
/** A claim older than this belongs to an instance that stopped mid-send: the notification is due again. */
const STALE_CLAIM_MS = 5 * 60_000;

type Outcome = Parameters<typeof settleSalesforceNotifications>[1][number];

/** Whether a notification goes to Salesforce: a kind that is turned on, about an opportunity, and news to the CSM. */
function forSalesforce(n: ClaimedNotification, enabled: readonly SalesforceNotificationKind[]): boolean {
  const kind = SALESFORCE_KIND[n.kind as NotificationKind];
  if (!kind || !enabled.includes(kind) || !n.opportunityId) return false;
  // A CSM who finalized the plan themselves needs no bell for it.
  return kind !== 'finalized-by-other' || (n.planFinalizedBy !== null && !sameId(n.planFinalizedBy, n.userId));
}

/**
 * Copies new notifications to Salesforce as custom notifications (the bell, desktop and mobile): to the CSM they are
 * for, opening the opportunity. The in-service list keeps every notification; this only adds the Salesforce copy.
 * Safe from any instance at any time (claims skip each other); a passing failure is retried on the next call, up to
 * five attempts. Returns what it did.
 */
export async function sendSalesforceNotifications(deps: Pick<Deps, 'db' | 'salesforce' | 'env' | 'log'>) {
  const report = { sent: 0, skipped: 0, failed: 0, retrying: 0 };
  for (let round = 0; round < 20; round++) {
    const claimed = await claimSalesforceNotifications(deps.db.sql, BATCH, STALE_CLAIM_MS);
    if (claimed.length === 0) break;
    const outcomes = await sendBatch(deps, claimed);
    for (const o of outcomes) report[o.state === 'retry' ? 'retrying' : o.state]++;
    await settleSalesforceNotifications(deps.db.sql, outcomes);
    if (claimed.length < BATCH || outcomes.some((o) => o.state === 'retry')) break;
  }
  if (report.failed || report.retrying) deps.log.warn('salesforce notifications not all sent', report);
  return report;
}

async function sendBatch(deps: Pick<Deps, 'salesforce' | 'env'>, claimed: ClaimedNotification[]): Promise<Outcome[]> {
  const due = claimed.filter((n) => forSalesforce(n, deps.env.SALESFORCE_NOTIFICATIONS));
  const outcomes: Outcome[] = claimed.filter((n) => !due.includes(n)).map((n) => ({ id: n.id, state: 'skipped' }));
  if (due.length === 0) return outcomes;
  // Stored and logged: Salesforce's answer can quote what it was sent, a secret included.
  const giveUpOr = (n: ClaimedNotification, error: string, permanent = false): Outcome => ({
    id: n.id,
    state: permanent || n.attempts >= MAX_ATTEMPTS ? 'failed' : 'retry',
    error: redactSecrets(error),
  });
  let typeId: string | undefined;
  try {
    typeId = await deps.salesforce.notificationType(deps.env.SF_NOTIFICATION_TYPE);
  } catch (err) {
    return [...outcomes, ...due.map((n) => giveUpOr(n, `The notification type could not be read: ${(err as Error).message}`))];
  }
  if (!typeId) {
    const missing = `Salesforce has no Custom Notification Type ${deps.env.SF_NOTIFICATION_TYPE}: deploy force-app (or set SF_NOTIFICATION_TYPE)`;
    return [...outcomes, ...due.map((n) => giveUpOr(n, missing))];
  }
  const errors = await deps.salesforce.notify(
    due.map((n) => ({ typeId: typeId!, recipientIds: [n.userId], title: n.title, body: n.body || n.title, targetId: n.opportunityId! })),
  );
  return [
    ...outcomes,
    ...due.map((n, i): Outcome => {
      const error = errors[i];
      return error
        ? giveUpOr(n, error.message.startsWith(error.code) ? error.message : `${error.code}: ${error.message}`, error.kind === 'permanent')
        : { id: n.id, state: 'sent' };
    }),
  ];
}
