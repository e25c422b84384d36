import { crmOpportunityUpdater } from './crm-opportunity-updater.ts';
import { emailEngagementTracker } from './email-engagement-tracker.ts';
import { followUpReminderCreator } from './follow-up-reminder-creator.ts';
import { type ProcessorName } from './catalog.ts';
import { salesforceContactUpdater } from './salesforce-contact-updater.ts';
import { workflowScheduler } from './workflow-scheduler.ts';
import type { Processor } from './types.ts';

/**
 * The code behind each name of the catalog. The executor looks a task's processor up here by name; a name that is
 * not a key of this map never runs (no path or module name from data is ever imported).
 */
export type ProcessorRegistry = ReadonlyMap<string, Processor>;

const processors: { [N in ProcessorName]: Processor } = {
  'salesforce-contact-updater': salesforceContactUpdater as Processor,
  'follow-up-reminder-creator': followUpReminderCreator as Processor,
  'email-engagement-tracker': emailEngagementTracker as Processor,
  'crm-opportunity-updater': crmOpportunityUpdater as Processor,
  'workflow-scheduler': workflowScheduler as Processor,
};

export const processorRegistry: ProcessorRegistry = new Map(Object.entries(processors));
