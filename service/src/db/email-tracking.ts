import { notify } from './notifications.ts';
import { markForRemirror } from './remirror.ts';
import type { Sql } from './sql.ts';
import { jsonParam } from './json.ts';

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
  /** When the email was sent, on the service's clock (the engagement rules count business days from it). */
  sentAt?: Date;
}

/** Starts watching an email for the tracker task; a second call returns the existing record. */
export async function trackEmail(sql: Sql, t: NewTracking): Promise<EmailTracking> {
  const [row] = await sql<EmailTracking[]>`
    INSERT INTO email_tracking (task_id, opportunity_id, user_id, provider, email_id, email_subject, sent_to, track_opens, track_clicks, notify_on_open, sent_at)
    VALUES (${t.taskId}, ${t.opportunityId}, ${t.userId}, ${t.provider}, ${t.emailId}, ${t.emailSubject}, ${t.sentTo},
            ${t.trackOpens}, ${t.trackClicks}, ${t.notifyOnOpen}, ${t.sentAt ?? null})
    ON CONFLICT (task_id) DO UPDATE SET updated_at = now()
    RETURNING ${trackingColumns(sql)}`;
  return row!;
}

export type EngagementKind = 'open' | 'click' | 'reply' | 'bounce';

export interface ProviderEvent {
  provider: 'sendgrid' | 'mailgun';
  /** The provider's event id (SendGrid) or the request's signed token (Mailgun): seen once, stored once. */
  dedupeKey: string;
  event: string;
  emailId: string | null;
  occurredAt: Date | null;
  /** A bounce's reason as the provider gives it. */
  reason?: string | null;
  payload: unknown;
}

/** What a batch of events did: each event stored or a duplicate, and the tracked emails whose counts moved. */
interface RecordedEvents {
  results: ('stored' | 'duplicate')[];
  trackingIds: string[];
}

/**
 * Stores a batch of provider events (a SendGrid post carries up to 1,000) in one transaction: all of them or none,
 * so a batch that fails part-way is stored whole when the provider sends it again. Each event is stored once and,
 * for an open, click, reply or bounce of a tracked email, counted on the tracking record, its counts copied into the
 * monitoring task's metadata (the task the CSM sees), and the CSM notified of a first open when asked to. A replayed
 * event changes nothing. What the counts mean for the plan (completing, following up) is the engagement rules' work
 * (engagement/engine.ts), run on the tracked emails this returns.
 */
export async function recordProviderEvents(
  sql: Sql,
  events: { event: ProviderEvent; kind: EngagementKind | undefined }[],
  receivedAt: Date,
): Promise<RecordedEvents> {
  return sql.begin(async (tx) => {
    const results: ('stored' | 'duplicate')[] = [];
    const trackingIds = new Set<string>();
    for (const { event, kind } of events) {
      const { result, tracked } = await recordOne(tx as unknown as Sql, event, kind, receivedAt);
      results.push(result);
      for (const id of tracked) trackingIds.add(id);
    }
    return { results, trackingIds: [...trackingIds] };
  });
}

async function recordOne(
  tx: Sql,
  e: ProviderEvent,
  kind: EngagementKind | undefined,
  receivedAt: Date,
): Promise<{ result: 'stored' | 'duplicate'; tracked: string[] }> {
  const stored = await tx`
    INSERT INTO webhook_events (provider, dedupe_key, event, email_id, occurred_at, payload)
    VALUES (${e.provider}, ${e.dedupeKey}, ${e.event}, ${e.emailId}, ${e.occurredAt}, ${jsonParam(tx, e.payload)})
    ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id`;
  if (stored.length === 0) return { result: 'duplicate', tracked: [] };
  if (!kind || !e.emailId) return { result: 'stored', tracked: [] };
  const when = e.occurredAt ?? receivedAt;
  const column = {
    open: tx`opens = opens + 1, first_opened_at = coalesce(first_opened_at, now())`,
    click: tx`clicks = clicks + 1`,
    reply: tx`replies = replies + 1`,
    bounce: tx`bounces = bounces + 1, bounced_at = coalesce(bounced_at, ${when}), bounce_reason = coalesce(bounce_reason, ${e.reason ?? null})`,
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
      lastEventAt: when.toISOString(),
    };
    await tx`
      UPDATE workflow_tasks SET metadata = metadata || ${tx.json({ engagement })}, ${markForRemirror(tx)}
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
  return { result: 'stored', tracked: tracked.map((t) => t.id) };
}
