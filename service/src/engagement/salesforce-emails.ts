import { addDays, toIsoDate } from '../calendar/dates.ts';
import type { FinalizedPlanRow } from '../db/engagement.ts';
import type { Deps } from '../deps.ts';
import { idKey } from '../salesforce/ids.ts';
import { query } from '../salesforce/records.ts';
import { soqlDateTime, soqlIdList } from '../salesforce/soql.ts';
import { contactOf } from './contacts.ts';
import type { WatchedEmail } from './decide.ts';

/**
 * The EmailMessage fields the rules read (Enhanced Email; see docs/engagement-rules.md): `Id`, `Subject`, `ToAddress`,
 * `MessageDate`, `FirstOpenedDate` (set by Salesforce's email tracking), `IsBounced`, `RelatedToId` (the opportunity)
 * on the sent emails (`Incoming = false`, `IsTracked = true`), and `ReplyToEmailMessageId` on incoming replies.
 */
interface EmailMessageRecord extends Record<string, unknown> {
  Id: string;
  Subject: string | null;
  ToAddress: string | null;
  MessageDate: string | null;
  FirstOpenedDate: string | null;
  IsBounced: boolean;
  RelatedToId: string;
}

/** An IN list of at most this many ids keeps each SOQL statement well under Salesforce's length limit. */
const CHUNK = 200;
/** Emails older than this are past following up. */
const LOOKBACK_DAYS = 30;

/** The tracked emails the CSMs sent from Salesforce on opportunities with a finalized plan, as the rules watch them. */
export async function salesforceEmails(deps: Deps, plans: FinalizedPlanRow[]): Promise<WatchedEmail[]> {
  const byOpportunity = new Map(plans.map((p) => [idKey(p.opportunityId), p]));
  const emails: WatchedEmail[] = [];
  const ids = [...byOpportunity.keys()];
  // From the injected clock (not LAST_N_DAYS, which is Salesforce's today), so a pinned day reads the same emails.
  const since = `${addDays(deps.today(), -LOOKBACK_DAYS)}T00:00:00Z`;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = soqlIdList(ids.slice(i, i + CHUNK));
    const sent = await query<EmailMessageRecord>(
      deps.salesforce,
      `SELECT Id, Subject, ToAddress, MessageDate, FirstOpenedDate, IsBounced, RelatedToId FROM EmailMessage
        WHERE RelatedToId IN ${chunk} AND Incoming = false AND IsTracked = true AND MessageDate >= ${soqlDateTime(since)}`,
    );
    if (sent.length === 0) continue;
    const replied = new Set<string>();
    for (let j = 0; j < sent.length; j += CHUNK) {
      const replies = await query<{ ReplyToEmailMessageId: string | null }>(
        deps.salesforce,
        `SELECT ReplyToEmailMessageId FROM EmailMessage WHERE Incoming = true AND ReplyToEmailMessageId IN ${soqlIdList(sent.slice(j, j + CHUNK).map((m) => m.Id))}`,
      );
      for (const r of replies) if (r.ReplyToEmailMessageId) replied.add(idKey(r.ReplyToEmailMessageId));
    }
    for (const m of sent) {
      const plan = byOpportunity.get(idKey(m.RelatedToId));
      if (!plan || !m.MessageDate || !m.ToAddress) continue;
      const to = m.ToAddress.split(/[;,]/)[0]!.trim();
      emails.push({
        key: `salesforce:${idKey(m.Id)}`,
        source: 'salesforce',
        subject: m.Subject ?? '(no subject)',
        sentTo: to,
        sentOn: toIsoDate(new Date(m.MessageDate)),
        counts: { open: m.FirstOpenedDate ? 1 : 0, click: 0, reply: replied.has(idKey(m.Id)) ? 1 : 0, bounce: m.IsBounced ? 1 : 0 },
        bounce: { at: null, reason: m.IsBounced ? 'Salesforce marked the email bounced' : null },
        stage: plan.stage,
        opportunityId: plan.opportunityId,
        plan: { id: plan.planId, executionId: plan.executionId, finalized: true },
        userId: plan.userId,
        taskKey: `email-${idKey(m.Id)}`,
        trackingTask: null,
        contact: contactOf(plan, to),
      });
    }
  }
  return emails;
}
