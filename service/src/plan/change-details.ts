import { isProcessorName } from '../../../processors/catalog.ts';
import type { CrmContext } from '../salesforce/context.ts';
import type { AiTask } from './schema.ts';
import { idKey } from '../salesforce/ids.ts';
import { plural } from '../words.ts';

/** One Salesforce field an AI task will write: what the CSM approves (or unticks) before finalize. */
export interface FieldChange {
  object: 'Opportunity' | 'Task';
  /** The record written; null for a record the task creates. */
  recordId: string | null;
  recordName: string | null;
  field: string;
  oldValue: string | number | null;
  newValue: string | number | null;
}

const contactLabel = (ctx: CrmContext, id: string | null | undefined) => {
  if (!id) return null;
  const role = ctx.contactRoles.find((r) => idKey(r.contactId) === idKey(id));
  return role ? `${role.contact.name} (${id})` : id;
};

/**
 * The exact Salesforce changes of an AI task, field by field, with the value the CRM holds now. Tasks that change
 * no Salesforce record (the workflow scheduler) have none; an unknown processor has none (validation rejects it).
 */
export function fieldChanges(task: AiTask, ctx: CrmContext): FieldChange[] {
  if (!isProcessorName(task.processor)) return [];
  const m = task.metadata as Record<string, any>;
  const o = ctx.opportunity;
  const onOpportunity = (field: string, oldValue: FieldChange['oldValue'], newValue: FieldChange['newValue']): FieldChange => ({ object: 'Opportunity', recordId: o.id, recordName: o.name, field, oldValue, newValue });
  const newTask = (field: string, newValue: FieldChange['newValue']): FieldChange => ({ object: 'Task', recordId: null, recordName: null, field, oldValue: null, newValue });
  switch (task.processor) {
    case 'salesforce-contact-updater':
      return [
        onOpportunity('Primary_Contact__c', contactLabel(ctx, o.primaryContactId), contactLabel(ctx, m.newContact?.salesforceId)),
        ...(m.oldContact ? [onOpportunity('Previous_Contact__c', contactLabel(ctx, o.previousContactId), contactLabel(ctx, m.oldContact.salesforceId))] : []),
        newTask('Subject', `Primary contact changed to ${m.newContact?.name} (audit, completed)`),
      ];
    case 'follow-up-reminder-creator':
      return [newTask('Subject', m.reminderMessage), newTask('ActivityDate', `in ${plural(m.daysUntilReminder, 'business day')}`), newTask('Priority', m.reminderPriority)];
    case 'email-engagement-tracker':
      return [newTask('Subject', `Email engagement: ${m.emailSubject} (${m.sentTo})`)];
    case 'crm-opportunity-updater': {
      const current: Record<string, string | number | null> = { NextStep: o.nextStep, Description: o.description };
      return Object.entries((m.fields ?? {}) as Record<string, string | number | null>)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => onOpportunity(k, current[k] ?? null, v));
    }
    case 'workflow-scheduler':
      return [];
  }
}
