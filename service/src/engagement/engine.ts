import { toIsoDate } from '../calendar/dates.ts';
import { finalizedPlansForRules, fireRule, trackedEmailsForRules, type TrackedEmailRow } from '../db/engagement.ts';
import type { NotificationKind } from '../db/notifications.ts';
import type { Deps } from '../deps.ts';
import { mirrorBackoff, mirrorPendingTasks } from '../sync/mirror/mirror.ts';
import { changeTask } from '../workflows/task-changes.ts';
import { contactOf, withMatchableContacts } from './contacts.ts';
import { dueActions, type EngagementAction, type WatchedEmail } from './decide.ts';
import { ruleFor } from './rules.ts';
import { salesforceEmails } from './salesforce-emails.ts';

interface EngagementRun {
  evaluated: number;
  fired: number;
  completed: number;
  /** Emails whose rules failed this run (logged; nothing recorded for them, so the next run tries again). */
  failed: number;
  /** What this run could not watch, and why (an org without Enhanced Email has no EmailMessage to read). */
  notes: string[];
}

/** The note of a run in an org without Enhanced Email (docs/org-shapes.md). */
export const NO_ENHANCED_EMAIL_NOTE =
  "Enhanced Email is off in this org: the CSMs' emails sent from Salesforce are not watched, only the engagement tracker's";

/** A tracked email of the engagement tracker as the rules see it. */
function watched(row: TrackedEmailRow): WatchedEmail {
  return {
    key: `${row.provider}:${row.emailId}`,
    source: row.provider,
    subject: row.subject,
    sentTo: row.sentTo,
    sentOn: toIsoDate(row.sentAt),
    counts: { open: row.opens, click: row.clicks, reply: row.replies, bounce: row.bounces },
    bounce: { at: row.bouncedAt, reason: row.bounceReason },
    stage: row.stage,
    opportunityId: row.opportunityId,
    plan: { id: row.planId, executionId: row.executionId, finalized: row.planFinalized },
    userId: row.userId,
    taskKey: row.trackerKey,
    trackingTask: row.monitorTaskId ? { id: row.monitorTaskId, status: row.monitorStatus ?? 'pending' } : null,
    contact: contactOf(row, row.sentTo),
  };
}

/**
 * The schedule's run: every email the rules watch (the engagement tracker's, and the CSMs' own tracked Salesforce
 * emails on opportunities with a finalized plan), each rule that is due applied once. Salesforce being unreachable
 * only postpones its emails to the next run.
 */
export async function runEngagementRules(deps: Deps): Promise<EngagementRun> {
  const emails = (await trackedEmails(deps)).map(watched);
  // Without Enhanced Email the org has no EmailMessage object: querying it would fail every run (INVALID_TYPE), so the
  // run watches the tracker's emails alone and says so, as a plan says when its team roles fell to the owner.
  if (!deps.salesforce.features.enhancedEmail) return applyRules(deps, emails, [NO_ENHANCED_EMAIL_NOTE]);
  try {
    emails.push(...(await salesforceEmails(deps, await withMatchableContacts(deps, await finalizedPlansForRules(deps.db.sql)))));
  } catch (err) {
    deps.log.warn('salesforce emails not read; the engagement rules check them at the next run', { error: (err as Error).message });
  }
  return applyRules(deps, emails);
}

/** What a webhook's events just changed: the rules of those tracked emails, applied at once. */
export async function applyEngagementEvents(deps: Deps, trackingIds: string[]): Promise<EngagementRun> {
  return applyRules(deps, (await trackedEmails(deps, { trackingIds })).map(watched));
}

/** The tracked emails for the rules, their plans' contacts matchable by address (see withMatchableContacts). */
async function trackedEmails(deps: Deps, only?: { trackingIds: string[] }): Promise<TrackedEmailRow[]> {
  const rows = await trackedEmailsForRules(deps.db.sql, only);
  try {
    return await withMatchableContacts(deps, rows);
  } catch (err) {
    // Salesforce unreachable: the stored contacts still match whatever their addresses allow.
    deps.log.warn('contacts not read for email matching; the stored ones are used', { error: (err as Error).message });
    return rows;
  }
}

async function applyRules(deps: Deps, emails: WatchedEmail[], notes: string[] = []): Promise<EngagementRun> {
  const run: EngagementRun = { evaluated: emails.length, fired: 0, completed: 0, failed: 0, notes };
  const toMirror: string[] = [];
  for (const email of emails) {
    const rule = ruleFor(deps.engagementRules, email.stage);
    // Each email on its own: one that fails (its tracking task waits for an unfinished prerequisite: 409; the database
    // refused a write) is logged and left unrecorded, so the next run tries it again; the other emails proceed.
    try {
      for (const action of dueActions(email, rule, deps.calendar, deps.today())) {
        const outcome = await apply(deps, email, action);
        if (outcome.fired) run.fired++;
        if (outcome.fired && action.kind === 'complete') run.completed++;
        if (outcome.fired && outcome.taskId && action.kind !== 'complete') toMirror.push(outcome.taskId);
      }
    } catch (err) {
      run.failed++;
      deps.log.warn('engagement rule not applied to one email; retried at the next run', {
        email: email.key,
        opportunityId: email.opportunityId,
        error: (err as Error).message,
      });
    }
  }
  if (toMirror.length)
    await mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, { taskIds: toMirror }, mirrorBackoff(deps.env)).catch((err: Error) =>
      deps.log.warn('salesforce mirror deferred', { count: toMirror.length, error: err.message }),
    );
  if (run.fired) deps.log.info('engagement rules fired', { ...run });
  return run;
}

async function apply(deps: Deps, email: WatchedEmail, action: EngagementAction) {
  const base = {
    emailKey: email.key,
    rule: action.rule,
    condition: action.condition,
    opportunityId: email.opportunityId,
    planId: email.plan.id,
    explanation: action.explanation,
    firedAt: deps.now(),
  };
  const source = {
    actionPlanId: email.plan.id,
    executionId: email.plan.executionId,
    opportunityId: email.opportunityId,
    planTaskKey: email.taskKey,
    assigneeUserId: email.userId,
  };
  const tell = (kind: NotificationKind, title: string) =>
    email.userId
      ? {
          userId: email.userId,
          opportunityId: email.opportunityId,
          planId: email.plan.id,
          kind,
          title: title.slice(0, 200),
          body: action.explanation,
        }
      : null;

  if (action.kind === 'complete') {
    // Completed through the service's one task-change path, so whatever waits on the task follows it.
    await changeTask(deps, action.taskId, { status: 'completed' });
    return fireRule(deps.db.sql, {
      ...base,
      changedTaskId: action.taskId,
      notification: tell('engagement-completed', `Done: ${email.subject}`),
    });
  }
  // Tasks are added only to a finalized plan: a draft's tasks are the CSM's to choose.
  if (!email.plan.finalized) return { fired: false, taskId: null };
  if (action.kind === 'follow-up') {
    return fireRule(deps.db.sql, {
      ...base,
      newTask: {
        sourceTask: source,
        keySuffix: action.keySuffix,
        owner: 'CSM',
        action: action.action,
        description: action.description,
        priority: 2,
        dueDate: action.dueDate,
        status: 'pending',
        snoozedUntil: null,
        metadata: { engagementRule: action.rule, email: { key: email.key, subject: email.subject, sentOn: email.sentOn } },
      },
      notification: tell('engagement-follow-up', action.action),
    });
  }
  const contact = email.contact;
  return fireRule(deps.db.sql, {
    ...base,
    newTask:
      action.propose && contact
        ? {
            sourceTask: source,
            keySuffix: 'bounce',
            owner: 'AI',
            action: `Record the bounce of ${email.sentTo} on ${contact.name}`.slice(0, 200),
            description: `The email "${email.subject}" to ${email.sentTo} bounced. Approve to set the contact's EmailBouncedReason and EmailBouncedDate in Salesforce, then find a working address.`,
            priority: 2,
            dueDate: deps.calendar.onOrAfter(deps.today()),
            status: 'pending',
            snoozedUntil: null,
            metadata: {
              contactId: contact.id,
              contactName: contact.name,
              email: email.sentTo,
              bouncedAt: (email.bounce.at ?? deps.now()).toISOString(),
              reason: (email.bounce.reason ?? 'Hard bounce reported by the email provider').slice(0, 255),
            },
            proposedProcessor: 'contact-bounce-recorder',
          }
        : undefined,
    notification: tell('email-bounced', `Bounced: ${email.subject} (${email.sentTo})`),
  });
}
