import { notify } from './notifications.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql } from './sql.ts';

/** Emails the engagement tracker watches, and the provider events that update them. */
interface EmailTracking {
  id: string;
  taskId: string;
  opportunityId: string;
  userId: string | null;
  provider: string;
  emailId: string;
  emailSubject: string;
  notifyOnOpen: boolean;
  opens: number;
  clicks: number;
  replies: number;
}

const trackingColumns = (sql: Sql) => sql`
  id, task_id AS "taskId", opportunity_id AS "opportunityId", user_id AS "userId", provider, email_id AS "emailId",
  email_subject AS "emailSubject", notify_on_open AS "notifyOnOpen", opens, clicks, replies`;

interface NewTracking {
  taskId: string;
  opportunityId: string;
  userId: string | null;
  provider: string;
  emailId: string;
  emailSubject: string;
  sentTo: string;
  trackOpens: boolean;
  trackClicks: boolean;
  notifyOnOpen: boolean;
}

/** Starts watching an email for the tracker task; a second call returns the existing record. */
export async function trackEmail(sql: Sql, t: NewTracking): Promise<EmailTracking> {
  const [row] = await sql<EmailTracking[]>`
    INSERT INTO email_tracking (task_id, opportunity_id, user_id, provider, email_id, email_subject, sent_to, track_opens, track_clicks, notify_on_open)
    VALUES (${t.taskId}, ${t.opportunityId}, ${t.userId}, ${t.provider}, ${t.emailId}, ${t.emailSubject}, ${t.sentTo},
            ${t.trackOpens}, ${t.trackClicks}, ${t.notifyOnOpen})
    ON CONFLICT (task_id) DO UPDATE SET updated_at = now()
    RETURNING ${trackingColumns(sql)}`;
  return row!;
}

export type EngagementKind = 'open' | 'click' | 'reply';

export interface ProviderEvent {
  provider: 'sendgrid' | 'mailgun';
  /** The provider's event id (SendGrid) or the request's signed token (Mailgun): seen once, stored once. */
  dedupeKey: string;
  event: string;
  emailId: string | null;
  occurredAt: Date | null;
  payload: unknown;
}

/**
 * Stores a batch of provider events (a SendGrid post carries up to 1,000) in one transaction: all of them or none,
 * so a batch that fails part-way is stored whole when the provider sends it again. Each event is stored once and,
 * for an open, click or reply of a tracked email, counted on the tracking record, its counts copied into the
 * monitoring task's metadata (the task the CSM sees), that task completed on a reply, and the CSM notified of a
 * first open when asked to. A replayed event changes nothing.
 */
export async function recordProviderEvents(
  sql: Sql,
  events: { event: ProviderEvent; kind: EngagementKind | undefined }[],
  receivedAt: Date,
): Promise<('stored' | 'duplicate')[]> {
  return sql.begin(async (tx) => {
    const results: ('stored' | 'duplicate')[] = [];
    for (const { event, kind } of events) results.push(await recordOne(tx as unknown as Sql, event, kind, receivedAt));
    return results;
  });
}

async function recordOne(tx: Sql, e: ProviderEvent, kind: EngagementKind | undefined, receivedAt: Date): Promise<'stored' | 'duplicate'> {
  const stored = await tx`
    INSERT INTO webhook_events (provider, dedupe_key, event, email_id, occurred_at, payload)
    VALUES (${e.provider}, ${e.dedupeKey}, ${e.event}, ${e.emailId}, ${e.occurredAt}, ${tx.json(e.payload as never)})
    ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id`;
  if (stored.length === 0) return 'duplicate';
  if (!kind || !e.emailId) return 'stored';
  const column = {
    open: tx`opens = opens + 1, first_opened_at = coalesce(first_opened_at, now())`,
    click: tx`clicks = clicks + 1`,
    reply: tx`replies = replies + 1`,
  }[kind];
  const tracked = await tx<(EmailTracking & { firstOpen: boolean })[]>`
    UPDATE email_tracking SET ${column}, last_event_at = now(), updated_at = now()
     WHERE email_id = ${e.emailId} AND provider = ${e.provider}
    RETURNING ${trackingColumns(tx)}, (${kind} = 'open' AND opens = 1) AS "firstOpen"`;
  for (const t of tracked) {
    const engagement = {
      opens: t.opens,
      clicks: t.clicks,
      replies: t.replies,
      lastEvent: kind,
      lastEventAt: (e.occurredAt ?? receivedAt).toISOString(),
    };
    await tx`
      UPDATE workflow_tasks SET metadata = metadata || ${tx.json({ engagement })}, updated_at = now(),
             status = CASE WHEN ${kind} = 'reply' THEN 'completed' ELSE status END,
             completed_at = CASE WHEN ${kind} = 'reply' THEN coalesce(completed_at, now()) ELSE completed_at END,
             ${markForRemirror(tx)}
       WHERE metadata->>'monitorsTaskId' = ${t.taskId}`;
    const worthTelling = (kind === 'open' && t.firstOpen && t.notifyOnOpen) || kind === 'reply';
    if (worthTelling && t.userId) {
      await notify(tx, [
        {
          userId: t.userId,
          opportunityId: t.opportunityId,
          taskId: t.taskId,
          kind: kind === 'open' ? 'email-open' : 'email-reply',
          title: `${kind === 'open' ? 'Opened' : 'Replied to'}: ${t.emailSubject}`.slice(0, 200),
          body: '',
          dedupeKey: `email-${kind}:${t.id}${kind === 'reply' ? `:${e.dedupeKey}` : ''}`,
        },
      ]);
    }
  }
  return 'stored';
}
