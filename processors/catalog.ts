import { z } from 'zod';
import { IsoDateSchema } from '../service/src/calendar/dates.ts';

/**
 * The processors an AI task may name, each with the zod schema of its metadata. A plan (from any planner) may
 * only use these names; the executor looks the code up by the same name, never by a path taken from data.
 * Metadata objects are strict: a key a processor does not know (another Opportunity field, say) is an error.
 */
const sfId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a Salesforce id');
const isoDate = IsoDateSchema;
const contactRef = z.strictObject({ name: z.string().min(1), salesforceId: sfId });

export const processorCatalog = {
  'salesforce-contact-updater': {
    summary: 'Sets the opportunity primary contact (and previous contact) in Salesforce with an audit trail',
    metadata: z.strictObject({
      oldContact: contactRef.nullable(),
      newContact: contactRef,
      updateLocalRecord: z.boolean(),
    }),
  },
  'follow-up-reminder-creator': {
    summary: 'Creates a CSM follow-up reminder N business days ahead, snoozed until then',
    metadata: z.strictObject({
      daysUntilReminder: z.number().int().min(1).max(60),
      reminderMessage: z.string().min(1).max(500),
      reminderPriority: z.number().int().min(1).max(5),
      relatedAction: z.string().min(1).max(200),
    }),
  },
  'email-engagement-tracker': {
    summary: 'Tracks opens, clicks and replies of a sent email through the email provider',
    metadata: z.strictObject({
      emailId: z.string().min(1).max(200),
      emailSubject: z.string().min(1).max(255),
      sentTo: z.email(),
      trackOpens: z.boolean(),
      trackClicks: z.boolean(),
      notifyOnOpen: z.boolean(),
    }),
  },
  'crm-opportunity-updater': {
    summary: 'Updates whitelisted opportunity fields (NextStep, Description, Probability)',
    metadata: z.strictObject({
      fields: z
        .strictObject({
          NextStep: z.string().max(255).nullable(),
          Description: z.string().max(32_000).nullable(),
          Probability: z.number().min(0).max(100).nullable(),
        })
        .refine((f) => Object.values(f).some((v) => v !== null), 'must change at least one field'),
    }),
  },
  'workflow-scheduler': {
    summary: 'Schedules the next stage workflow on its trigger date',
    metadata: z.strictObject({
      stage: z.string().min(1),
      triggerDate: isoDate,
      conditions: z.array(z.string().min(1)).max(10),
    }),
  },
} as const;

export type ProcessorName = keyof typeof processorCatalog;
export const PROCESSOR_NAMES = Object.keys(processorCatalog) as [ProcessorName, ...ProcessorName[]];
export const ProcessorNameSchema = z.enum(PROCESSOR_NAMES);

export function isProcessorName(name: string): name is ProcessorName {
  return Object.hasOwn(processorCatalog, name);
}
