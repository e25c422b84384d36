import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { EmailProvider } from '../service/src/email/provider.ts';
import { emailEngagementTracker } from '../processors/email-engagement-tracker/index.ts';
import { clockFrom, middayOf } from '../service/src/clock.ts';
import { getTask } from '../service/src/db/tasks.ts';
import type { Deps } from '../service/src/deps.ts';
import { processorPort, processorServices } from '../service/src/executor/services.ts';
import type { Harness } from './harness.ts';

/** The service's dependencies on another day: what a pinned clock moved on to (the org keeps its own clock). */
export const onDay = (deps: Deps, day: string): Deps => ({ ...deps, ...clockFrom(middayOf(day)) });

/** A harness plan of the Discovery opportunity, for Jordan Lee (the demo CSM). */
export const discoveryPlan = (h: Harness, plan: { id: string; executionId: string }) => ({
  ...plan,
  opportunityId: h.discoveryId,
  csmUserId: h.users['Jordan Lee']!,
});

/** Stands in for the provider's tracking-settings API (the webhooks, the part under test, are real and signed). */
const provider = (name: 'sendgrid' | 'mailgun'): EmailProvider => ({ name, enableTracking: async (t) => t });

/**
 * An email the engagement tracker watches, set up as the tracker's AI task does it: the tracker task in the plan, its
 * run (the tracking record and the monitoring task), on the service's clock.
 */
export async function trackedEmail(
  deps: Deps,
  plan: { id: string; executionId: string; opportunityId: string; csmUserId: string },
  e: { provider: 'sendgrid' | 'mailgun'; emailId: string; subject: string; sentTo: string; key: string },
): Promise<{ trackerTaskId: string; monitorTaskId: string }> {
  const sql = deps.db.sql;
  const metadata = {
    emailId: e.emailId,
    emailSubject: e.subject,
    sentTo: e.sentTo,
    trackOpens: true,
    trackClicks: true,
    notifyOnOpen: false,
  };
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, metadata, auto_execute,
                                processor, execution_status, assignee_user_id, mirror_status)
    VALUES (${plan.id}, ${plan.executionId}, ${plan.opportunityId}, ${e.key}, 'AI', ${`Track ${e.subject}`}, ${sql.json(metadata)}, true,
            'email-engagement-tracker', 'success', ${plan.csmUserId}, 'skipped')
    RETURNING id`;
  const task = (await getTask(sql, row!.id))!;
  const result = await emailEngagementTracker.run(metadata, {
    task,
    customer: {} as never,
    workflow: {} as never,
    services: processorPort(processorServices(deps, provider(e.provider)), task),
  });
  return { trackerTaskId: task.id, monitorTaskId: result.monitorTaskId as string };
}

/** Signs provider webhooks as SendGrid (ECDSA P-256 over timestamp + body) and Mailgun (HMAC-SHA256 of timestamp + token) do. */
export function webhookSigners() {
  const ecdsa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const mailgunKey = randomBytes(24).toString('hex');
  const env = {
    SENDGRID_WEBHOOK_PUBLIC_KEY: ecdsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    MAILGUN_WEBHOOK_SIGNING_KEY: mailgunKey,
  };
  // Signature age is real time (the providers' clocks), not the pinned business clock.
  const seconds = () => String(Math.floor(Date.now() / 1000));
  return {
    env,
    sendgrid(events: unknown[]): RequestInit {
      const ts = seconds();
      const body = JSON.stringify(events);
      return {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(ts + body), ecdsa.privateKey).toString('base64'),
          'x-twilio-email-event-webhook-timestamp': ts,
        },
        body,
      };
    },
    mailgun(eventData: unknown): RequestInit {
      const timestamp = seconds();
      const token = randomBytes(25).toString('hex');
      const signature = createHmac('sha256', mailgunKey)
        .update(timestamp + token)
        .digest('hex');
      return {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData }),
      };
    },
  };
}
