import type { BusinessCalendar } from '../calendar/business-days.ts';
import type { IsoDate } from '../calendar/dates.ts';
import type { EngagementEvent, EngagementRule } from './rules.ts';

/**
 * An email the rules watch, whichever system saw the customer's engagement: the email provider's signed webhooks
 * (an email the engagement tracker follows) or Salesforce's own EmailMessage record (sent by the CSM from Salesforce).
 */
export interface WatchedEmail {
  /** `<source>:<email id>`: the key a rule fires once for. */
  key: string;
  source: 'sendgrid' | 'mailgun' | 'none' | 'salesforce';
  subject: string;
  sentTo: string;
  sentOn: IsoDate;
  counts: Record<EngagementEvent | 'bounce', number>;
  bounce: { at: Date | null; reason: string | null };
  stage: string;
  opportunityId: string;
  plan: { id: string; executionId: string; finalized: boolean };
  userId: string | null;
  /** The key prefix of the tasks the rules add for this email. */
  taskKey: string;
  /** The task that tracks the email (the engagement tracker's monitoring task); none for Salesforce's own emails. */
  trackingTask: { id: string; status: string } | null;
  /** The contact of the account the email went to, from the plan's CRM context. */
  contact: { id: string; name: string } | null;
}

/** What a rule does to the plan. */
export type EngagementAction =
  | {
      kind: 'follow-up';
      rule: 'no-open' | 'engaged';
      condition: string;
      keySuffix: string;
      action: string;
      description: string;
      dueDate: IsoDate;
      explanation: string;
    }
  | { kind: 'complete'; rule: 'completed'; condition: EngagementEvent; taskId: string; explanation: string }
  | { kind: 'bounce'; rule: 'bounce'; condition: 'hard'; propose: boolean; explanation: string };

/** "Dec 3": how a date reads in an explanation. */
export const shortDate = (d: IsoDate): string =>
  new Date(`${d}T12:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

const firstName = (name: string) => name.split(/\s+/)[0] ?? name;
const PAST: Record<EngagementEvent, string> = { open: 'opened', click: 'clicked a link in', reply: 'replied to' };

/**
 * The actions due for one email under its stage's rule, today: a pure function of the email's state, so the schedule
 * and the webhooks agree, and evaluating twice proposes the same actions (the database keeps each to one firing).
 */
export function dueActions(email: WatchedEmail, rule: EngagementRule, calendar: BusinessCalendar, today: IsoDate): EngagementAction[] {
  const actions: EngagementAction[] = [];
  const who = email.contact?.name ?? email.sentTo;
  const sent = shortDate(email.sentOn);
  const dueIn = (n: number) => (n === 0 ? calendar.onOrAfter(today) : calendar.add(today, n));
  const engaged = email.counts.open + email.counts.click + email.counts.reply > 0;

  // An email that bounced was never delivered: it is neither unopened nor engaged, whatever the bounce rule does.
  if (email.counts.bounce > 0) {
    if (rule.onBounce === 'ignore') return actions;
    actions.push({
      kind: 'bounce',
      rule: 'bounce',
      condition: 'hard',
      propose: rule.onBounce === 'propose-contact-update' && email.contact !== null,
      explanation: `flagged because the email sent on ${sent} to ${email.sentTo} bounced${email.bounce.reason ? ` (${email.bounce.reason})` : ''}`,
    });
    return actions;
  }

  const completing = rule.completeOn.find((e) => email.counts[e] > 0);
  const tracking = email.trackingTask;
  if (completing && tracking && tracking.status !== 'completed' && tracking.status !== 'cancelled') {
    actions.push({
      kind: 'complete',
      rule: 'completed',
      condition: completing,
      taskId: tracking.id,
      explanation: `completed because ${who} ${PAST[completing]} the email sent on ${sent}`,
    });
  }

  for (const event of rule.followUpOn) {
    if (email.counts[event] === 0 || email.counts.reply > 0) continue;
    actions.push({
      kind: 'follow-up',
      rule: 'engaged',
      condition: event,
      keySuffix: `engaged-${event}`,
      action: `${who} ${PAST[event]} "${email.subject}": follow up while it is fresh`.slice(0, 200),
      description: `${who} ${PAST[event]} the email sent on ${sent}. Call or write while the topic is on their mind.`,
      dueDate: dueIn(rule.followUpDueInBusinessDays),
      explanation: `created because ${who} ${PAST[event]} the email sent on ${sent}`,
    });
  }

  const days = rule.noOpenAfterBusinessDays;
  if (days !== null && !engaged && calendar.businessDaysBetween(email.sentOn, today) >= days) {
    const explanation = `created because the email sent on ${sent} had no open after ${days} business day${days === 1 ? '' : 's'}`;
    actions.push({
      kind: 'follow-up',
      rule: 'no-open',
      condition: `after-${days}-business-days`,
      keySuffix: 'no-open',
      action: `No reply from ${who} to "${email.subject}": call ${email.contact ? firstName(email.contact.name) : 'them'}`.slice(0, 200),
      description: `The email "${email.subject}" sent on ${sent} to ${email.sentTo} has not been opened. A call gets the conversation going again.`,
      dueDate: dueIn(rule.followUpDueInBusinessDays),
      explanation,
    });
  }
  return actions;
}
