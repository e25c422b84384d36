import type { z } from 'zod';
import type { BusinessCalendar } from '../service/src/calendar/business-days.ts';
import type { Logger } from '../service/src/log.ts';
import type { CrmContext } from '../service/src/salesforce/context.ts';
import type { EmailProvider } from '../service/src/email/provider.ts';

/** What the email provider throws: `retryable` says whether the executor should try again. */
export { EmailProviderError } from '../service/src/email/provider.ts';
/** The opportunity's CRM context, as the services read it. */
export type { CrmContext };

/**
 * The port between the service and its processors: what a processor is (a definition) and what it may use (the
 * services). A processor imports nothing of the service's database, workflows or jsforce; the executor builds
 * the services for each task it runs.
 */

/** The AI task a processor runs for (the fields a processor may read). */
interface ProcessorTask {
  id: string;
  actionPlanId: string;
  executionId: string;
  opportunityId: string;
  planTaskKey: string;
  priority: number;
  assigneeUserId: string | null;
  attempts: number;
}

/** Who the task is for: the opportunity, its account and its CSM (from the workflow execution, no Salesforce call). */
interface CustomerContext {
  opportunityId: string;
  opportunityName: string;
  accountId: string | null;
  accountName: string | null;
  csmUserId: string | null;
}

/** The stage workflow the task's plan belongs to. */
interface WorkflowContext {
  executionId: string;
  actionPlanId: string;
  stage: string;
  urgency: string;
  renewalDate: string;
  daysToRenewal: number;
}

/** A task a processor adds to the source task's plan (keyed `<source key>-<suffix>`, so a retry adds nothing twice). */
export interface NewPlanTask {
  keySuffix: string;
  owner: 'AI' | 'CSM';
  action: string;
  description: string;
  priority: number;
  dueDate: string;
  status: 'pending' | 'snoozed';
  snoozedUntil: string | null;
  metadata: Record<string, unknown>;
}

/** An email the engagement tracker watches (the record the provider's signed webhooks update). */
interface TrackedEmail {
  provider: string;
  emailId: string;
  emailSubject: string;
  sentTo: string;
  trackOpens: boolean;
  trackClicks: boolean;
  notifyOnOpen: boolean;
}

/** Every write is keyed (a record id, the Task external id), and retried on row locks, timeouts and unavailability. */
interface SalesforcePort {
  /** Reads records with SOQL (build id literals with `soqlId`). */
  query<T extends Record<string, unknown>>(soql: string): Promise<T[]>;
  /** Updates a record by id (safe to repeat). */
  updateRecord(type: string, fields: Record<string, unknown> & { Id: string }): Promise<void>;
  /**
   * Creates or updates the audit Task keyed by `externalId`; answers its Salesforce id. An audit Task records work
   * done: the port writes it with the org's closed Task Status (a customised picklist may have no "Completed").
   */
  upsertAuditTask(externalId: string, fields: Record<string, unknown>): Promise<string>;
  /** Creates or updates the Event keyed by `externalId` and invites these users and contacts (EventRelation), once each. */
  upsertEvent(externalId: string, fields: Record<string, unknown>, inviteeIds: string[]): Promise<{ eventId: string; invitees: string[] }>;
}

/** A task of the same plan, by key, as a processor may read it (the meeting a scheduler books). */
export interface PlanTaskView {
  id: string;
  action: string;
  description: string;
  dueDate: string | null;
  status: string;
  contactId: string | null;
  assigneeUserId: string | null;
  metadata: Record<string, unknown>;
}

/** What a processor may use for the task it runs. */
export interface ProcessorServices {
  salesforce: SalesforcePort;
  /** Adds a task to this task's plan; `salesforceTask` also mirrors it to Salesforce now, with these extra Task fields. */
  addPlanTask(
    task: NewPlanTask,
    options?: { salesforceTask?: Record<string, unknown> },
  ): Promise<{ id: string; created: boolean; salesforceTaskId?: string }>;
  /** Another task of this task's plan, by its key (undefined when the plan has none). */
  planTask(key: string): Promise<PlanTaskView | undefined>;
  /** Points this plan's open CSM tasks about one contact at another; answers how many moved. */
  repointPlanContacts(oldContactId: string, newContactId: string): Promise<number>;
  /** Schedules (or reschedules, while not yet started) this plan's next stage workflow. */
  scheduleWorkflow(w: {
    stage: string;
    triggerDate: string;
    conditions: string[];
  }): Promise<{ id: string; status: string; triggerDate: string; stage: string }>;
  /** Whether the stage table knows this stage. */
  isStage(stage: string): boolean;
  /** Starts (or finds) the engagement record of a sent email. */
  trackEmail(email: TrackedEmail): Promise<{ id: string; opens: number; clicks: number; replies: number }>;
  calendar: BusinessCalendar;
  /** Undefined when no email provider is configured; its failures are `EmailProviderError`s. */
  email?: EmailProvider;
  log: Logger;
  today(): string;
  /** The current instant from the service's clock. */
  now(): Date;
}

export interface ProcessorContext {
  task: ProcessorTask;
  customer: CustomerContext;
  workflow: WorkflowContext;
  services: ProcessorServices;
}

/** What a processor returns; stored as the task's `execution_result` (`summary` becomes the CSM's notification). */
interface ProcessorResult {
  summary: string;
  [key: string]: unknown;
}

/** One Salesforce field an AI task will write: what the CSM approves (or unticks) before finalize. */
export interface FieldChange {
  object: 'Opportunity' | 'Task' | 'Contact';
  /** The record written; null for a record the task creates. */
  recordId: string | null;
  recordName: string | null;
  field: string;
  oldValue: string | number | null;
  newValue: string | number | null;
}

/** The Salesforce change of an AI task, shown at the approval gate: in words, and field by field. */
export interface ChangePreview {
  description: string;
  fields: FieldChange[];
}

/**
 * A processor: its name, its metadata schema, what the planners and the approval gate need to know of it, and its
 * run function. Throwing means retry, unless the error is a PermanentError.
 */
export interface ProcessorDefinition<N extends string = string, S extends z.ZodType = z.ZodType> {
  name: N;
  /** One line for the model's catalog. */
  summary: string;
  /** Strict: a key the processor does not know is an error. */
  metadata: S;
  /** Why no plan may name this processor (it is queued by the service itself); absent for plannable processors. */
  notPlannable?: string;
  /** At most this many tasks of this processor per plan, and how the error names them. */
  perPlan?: { max: number; noun: string };
  /** Whether it writes Salesforce fields: a model's proposal then waits for the CSM's explicit approval. */
  writesFields: boolean;
  /** Whether a renewal's context can ground this processor's input at all (default: yes). */
  groundable?(ctx: CrmContext): boolean;
  /** Problems of this input against the context (a contact outside the account...), in words for the planner. */
  groundingErrors?(input: z.infer<S>, ctx: CrmContext): string[];
  /** The Salesforce change it will make, for the approval gate. */
  changePreview(input: z.infer<S>, ctx: CrmContext): ChangePreview;
  run(input: z.infer<S>, context: ProcessorContext): Promise<ProcessorResult>;
}

/** Declares a processor, keeping its name's literal type. */
export function defineProcessor<const N extends string, S extends z.ZodType>(
  definition: ProcessorDefinition<N, S>,
): ProcessorDefinition<N, S> {
  return definition;
}

/** An error retrying cannot fix (bad data, a record outside the account): the task fails at once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(
    message: string,
    readonly code = 'PERMANENT',
  ) {
    super(message);
  }
}
