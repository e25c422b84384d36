import { addPlanTask } from '../service/src/db/processor-records.ts';
import { trackEmail } from '../service/src/db/email-tracking.ts';
import { processorCatalog } from './catalog.ts';
import { EmailProviderError } from './email/provider.ts';
import { PermanentError, type Processor } from './types.ts';

const name = 'email-engagement-tracker';

/**
 * Tracks a sent email: turns on open/click tracking in the configured provider (SendGrid or Mailgun), starts the
 * tracking record the signed webhooks update, and creates the monitoring task (an AI task the webhooks complete
 * on a reply). Without a configured provider it still watches the email and says tracking was not enabled.
 */
export const emailEngagementTracker: Processor<(typeof processorCatalog)[typeof name]['metadata']> = {
  name,
  metadata: processorCatalog[name].metadata,
  async execute(input, { task, services }) {
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
    const record = await trackEmail(services.sql, {
      taskId: task.id,
      opportunityId: task.opportunityId,
      userId: task.assigneeUserId,
      provider: provider?.name ?? 'none',
      emailId: input.emailId,
      emailSubject: input.emailSubject,
      sentTo: input.sentTo,
      trackOpens: input.trackOpens,
      trackClicks: input.trackClicks,
      notifyOnOpen: input.notifyOnOpen,
    });
    const { task: monitor } = await addPlanTask(services.sql, {
      sourceTask: task,
      keySuffix: 'monitor',
      owner: 'AI',
      action: `Monitor engagement: ${input.emailSubject}`.slice(0, 200),
      description: `Opens, clicks and replies of "${input.emailSubject}" sent to ${input.sentTo}, updated by ${provider?.name ?? 'the provider'} webhooks.`,
      priority: task.priority,
      dueDate: services.calendar.add(services.today(), 5),
      status: 'pending',
      snoozedUntil: null,
      metadata: { monitorsTaskId: task.id, emailId: input.emailId, engagement: { opens: record.opens, clicks: record.clicks, replies: record.replies } },
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
};
