import { MailgunProvider } from '../email/mailgun.ts';
import type { EmailProvider } from '../email/provider.ts';
import { SendGridProvider } from '../email/sendgrid.ts';
import type { ProcessorServices } from '../../../processors/port.ts';
import type { BusinessCalendar } from '../calendar/business-days.ts';
import type { Env } from '../config.ts';
import { trackEmail } from '../db/email-tracking.ts';
import { recordMirrorResults } from '../db/mirror-queue.ts';
import { addPlanTask, planTaskByKey, repointPlanContacts, scheduleNextWorkflow } from '../db/processor-port.ts';
import type { Sql } from '../db/sql.ts';
import type { TaskRow } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';
import type { Logger } from '../log.ts';
import { upsertMeetingEvent } from '../salesforce/events.ts';
import type { SalesforceGateway } from '../salesforce/gateway.ts';
import { query, updateRecord, upsertTask } from '../salesforce/records.ts';
import { taskRecord } from '../salesforce/task-mirror.ts';
import { STAGE_IDS } from '../stages/stages.ts';
import { mirrorTaskOf } from '../sync/mirror/mirror.ts';

/** What the executor holds to build each task's processor services: the database, Salesforce, the calendar, the clock. */
export interface ExecutorServices {
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

/** The configured email provider, or undefined with EMAIL_PROVIDER=none. */
function emailProviderFrom(env: Env): EmailProvider | undefined {
  if (env.EMAIL_PROVIDER === 'sendgrid') return new SendGridProvider({ apiKey: env.SENDGRID_API_KEY!, baseUrl: env.SENDGRID_API_URL });
  if (env.EMAIL_PROVIDER === 'mailgun')
    return new MailgunProvider({ apiKey: env.MAILGUN_API_KEY!, domain: env.MAILGUN_DOMAIN!, baseUrl: env.MAILGUN_API_URL });
  return undefined;
}

/** What the executor takes from the service's shared dependencies. */
export function processorServices(deps: Deps, email: EmailProvider | undefined = emailProviderFrom(deps.env)): ExecutorServices {
  return { sql: deps.db.sql, salesforce: deps.salesforce, calendar: deps.calendar, email, log: deps.log, today: deps.today, now: deps.now };
}

/**
 * The port one task's processor runs against. Every write is keyed by the task (a derived plan task key, the task
 * id, the plan id), so running the processor again after a crash or a retry changes nothing twice.
 */
export function processorPort(env: ExecutorServices, task: TaskRow): ProcessorServices {
  const { sql, salesforce: sf } = env;
  return {
    salesforce: {
      query: (soql) => query(sf, soql),
      updateRecord: (type, fields) => updateRecord(sf, type, fields),
      upsertAuditTask: (externalId, fields) => upsertTask(sf, externalId, { ...fields, Status: sf.taskStatuses.completed }),
      upsertEvent: (externalId, fields, inviteeIds) => upsertMeetingEvent(sf, externalId, fields, inviteeIds),
    },
    async planTask(key) {
      const row = await planTaskByKey(sql, task.actionPlanId, key);
      return (
        row && {
          id: row.id,
          action: row.action,
          description: row.description,
          dueDate: row.dueDate,
          status: row.status,
          contactId: row.contactId,
          assigneeUserId: row.assigneeUserId,
          metadata: row.metadata,
        }
      );
    },
    async addPlanTask(newTask, options) {
      const { task: added, created } = await addPlanTask(sql, { ...newTask, sourceTask: task });
      if (!options?.salesforceTask) return { id: added.id, created };
      const salesforceTaskId = await upsertTask(sf, added.id, {
        ...taskRecord(mirrorTaskOf(added, []), sf.taskStatuses),
        ...options.salesforceTask,
      });
      await recordMirrorResults(sql, [{ taskId: added.id, salesforceTaskId, readAt: added.updatedAt }]);
      return { id: added.id, created, salesforceTaskId };
    },
    repointPlanContacts: (oldContactId, newContactId) => repointPlanContacts(sql, task.actionPlanId, oldContactId, newContactId),
    scheduleWorkflow: (w) =>
      scheduleNextWorkflow(sql, {
        executionId: task.executionId,
        planId: task.actionPlanId,
        opportunityId: task.opportunityId,
        stage: w.stage,
        name: `${w.stage} workflow`,
        triggerDate: w.triggerDate,
        conditions: w.conditions,
      }),
    isStage: (stage) => (STAGE_IDS as readonly string[]).includes(stage),
    trackEmail: (email) =>
      trackEmail(sql, { ...email, taskId: task.id, opportunityId: task.opportunityId, userId: task.assigneeUserId, sentAt: env.now() }),
    calendar: env.calendar,
    email: env.email,
    log: env.log,
    today: env.today,
    now: env.now,
  };
}
