import { z } from 'zod';
import { sameId } from '../../service/src/salesforce/ids.ts';
import { defineProcessor, EmailProviderError, PermanentError } from '../port.ts';
import { sentEmails } from './sent-emails.ts';

/**
 * Tracks a sent email: turns on open/click tracking in the configured provider (SendGrid or Mailgun), starts the
 * tracking record the signed webhooks update, and creates the monitoring task (an AI task the webhooks complete
 * on a reply). Without a configured provider it still watches the email and says tracking was not enabled.
 */
export const emailEngagementTracker = defineProcessor({
  name: 'email-engagement-tracker',
  summary: 'Tracks opens, clicks and replies of a sent email through the email provider',
  metadata: z.strictObject({
    emailId: z.string().min(1).max(200),
    emailSubject: z.string().min(1).max(255),
    sentTo: z.email(),
    trackOpens: z.boolean(),
    trackClicks: z.boolean(),
    notifyOnOpen: z.boolean(),
  }),
  writesFields: false,
  groundable: (ctx) => sentEmails(ctx).length > 0,
  groundingErrors(input, ctx) {
    // Only a sent email of this context can be tracked, and only to the contact it was sent to: tracking mail to
    // someone outside the account would read another customer's engagement.
    const email = sentEmails(ctx).find((e) => sameId(e.activity.id, input.emailId));
    if (!email) return [`emailId ${input.emailId} is not a sent email (an Email activity) in this opportunity's CRM context`];
    if (email.to.contact.email?.toLowerCase() !== input.sentTo.toLowerCase())
      return [`email ${input.emailId} was sent to ${email.to.contact.email}, not ${input.sentTo}`];
    return [];
  },
  changePreview: (input) => ({
    description: `Tracks opens and clicks of "${input.emailSubject}" sent to ${input.sentTo}; engagement is logged on the opportunity`,
    fields: [
      {
        object: 'Task',
        recordId: null,
        recordName: null,
        field: 'Subject',
        oldValue: null,
        newValue: `Email engagement: ${input.emailSubject} (${input.sentTo})`,
      },
    ],
  }),
  async run(input, { task, services }) {
    const provider = services.email;
    let tracking = { opens: false, clicks: false };
    if (provider) {
      try {
        tracking = await provider.enableTracking({ opens: input.trackOpens, clicks: input.trackClicks });
      } catch (err) {
        if (err instanceof EmailProviderError && !err.retryable) throw new PermanentError(err.message, 'EMAIL_PROVIDER_REJECTED');
        throw err;
      }
    }
    const record = await services.trackEmail({
      provider: provider?.name ?? 'none',
      emailId: input.emailId,
      emailSubject: input.emailSubject,
      sentTo: input.sentTo,
      trackOpens: input.trackOpens,
      trackClicks: input.trackClicks,
      notifyOnOpen: input.notifyOnOpen,
    });
    const monitor = await services.addPlanTask({
      keySuffix: 'monitor',
      owner: 'AI',
      action: `Monitor engagement: ${input.emailSubject}`.slice(0, 200),
      description: `Opens, clicks and replies of "${input.emailSubject}" sent to ${input.sentTo}, updated by ${provider?.name ?? 'the provider'} webhooks.`,
      priority: task.priority,
      dueDate: services.calendar.add(services.today(), 5),
      status: 'pending',
      snoozedUntil: null,
      metadata: {
        monitorsTaskId: task.id,
        emailId: input.emailId,
        engagement: { opens: record.opens, clicks: record.clicks, replies: record.replies },
      },
    });
    return {
      summary: provider
        ? `Tracking ${[tracking.opens && 'opens', tracking.clicks && 'clicks'].filter(Boolean).join(' and ') || 'replies'} of "${input.emailSubject}" in ${provider.name}.`
        : `Watching "${input.emailSubject}"; no email provider is configured, so provider tracking was not enabled.`,
      provider: provider?.name ?? null,
      trackingEnabled: tracking,
      trackingId: record.id,
      monitorTaskId: monitor.id,
    };
  },
});
