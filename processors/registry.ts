import type { z } from 'zod';
import type { ProcessorDefinition } from './port.ts';
import { contactBounceRecorder } from './contact-bounce-recorder/index.ts';
import { crmOpportunityUpdater } from './crm-opportunity-updater/index.ts';
import { emailEngagementTracker } from './email-engagement-tracker/index.ts';
import { followUpReminderCreator } from './follow-up-reminder-creator/index.ts';
import { meetingScheduler } from './meeting-scheduler/index.ts';
import { salesforceContactUpdater } from './salesforce-contact-updater/index.ts';
import { workflowScheduler } from './workflow-scheduler/index.ts';

/**
 * The only list of processors. Validation, the planners' catalog, the approval gate and the executor look a
 * processor up here by name; a name that is not a key of this map never runs (no path or module name from data is
 * ever imported). Adding a processor: its folder, and one line here.
 */
const definitions = [
  salesforceContactUpdater,
  followUpReminderCreator,
  emailEngagementTracker,
  crmOpportunityUpdater,
  workflowScheduler,
  contactBounceRecorder,
  meetingScheduler,
] as const;

/** Processors by name. */
export type ProcessorRegistry = ReadonlyMap<string, ProcessorDefinition>;

/** A registry of these definitions (tests build their own). */
export function registryOf(list: readonly ProcessorDefinition<string, z.ZodType>[]): ProcessorRegistry {
  return new Map(list.map((d) => [d.name, d as ProcessorDefinition]));
}

export const processorRegistry: ProcessorRegistry = registryOf(definitions);

/** The processors a plan may name (all but those the service queues itself, like the workflow scheduler). */
export function plannableProcessors(registry: ProcessorRegistry = processorRegistry): string[] {
  return [...registry.values()].filter((d) => !d.notPlannable).map((d) => d.name);
}
