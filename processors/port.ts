import type { z } from 'zod';
import type { BusinessCalendar } from '../service/src/calendar/business-days.ts';
import type { Sql } from '../service/src/db/sql.ts';
import type { TaskRow } from '../service/src/db/tasks.ts';
import type { Logger } from '../service/src/log.ts';
import type { SalesforceGateway } from '../service/src/salesforce/gateway.ts';
import type { EmailProvider } from './email/provider.ts';

/** Who the task is for: the opportunity, its account and its CSM (from the workflow execution, no Salesforce call). */
export interface CustomerContext {
  opportunityId: string;
  opportunityName: string;
  accountId: string | null;
  accountName: string | null;
  csmUserId: string | null;
}

/** The stage workflow the task's plan belongs to. */
export interface WorkflowContext {
  executionId: string;
  actionPlanId: string;
  stage: string;
  urgency: string;
  renewalDate: string;
  daysToRenewal: number;
}

/** What a processor may use: the database, Salesforce (jsforce), the business calendar, the email provider. */
export interface ProcessorServices {
  sql: Sql;
  salesforce: SalesforceGateway;
  calendar: BusinessCalendar;
  /** Undefined when no email provider is configured. */
  email?: EmailProvider;
  log: Logger;
  today(): string;
  /** The current instant from the service's clock. */
  now(): Date;
}

export interface ProcessorContext {
  task: TaskRow;
  customer: CustomerContext;
  workflow: WorkflowContext;
  services: ProcessorServices;
}

/** What a processor returns; stored as the task's `execution_result` (`summary` becomes the CSM's notification). */
export interface ProcessorResult {
  summary: string;
  [key: string]: unknown;
}

/** A processor: its metadata schema (from the catalog) and one `execute`. Throwing means retry, unless permanent. */
export interface Processor<S extends z.ZodType = z.ZodType> {
  name: string;
  metadata: S;
  execute(input: z.infer<S>, context: ProcessorContext): Promise<ProcessorResult>;
}

/** An error retrying cannot fix (bad data, a record outside the account): the task fails at once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(message: string, readonly code = 'PERMANENT') {
    super(message);
  }
}
