import { isProcessorName } from '../../../processors/catalog.ts';
import type { CrmContext } from '../salesforce/context.ts';
import type { AiTask } from './schema.ts';
import { plural } from '../words.ts';

/** In words, the Salesforce change an AI task will make, so the CSM approves it knowingly before finalize. */
export function describeChange(task: AiTask, ctx: CrmContext): string | null {
  if (!isProcessorName(task.processor)) return null;
  const m = task.metadata as Record<string, any>;
  const opp = `Opportunity "${ctx.opportunity.name}"`;
  switch (task.processor) {
    case 'salesforce-contact-updater':
      return `${opp}: Primary_Contact__c ${m.oldContact?.name ?? '(empty)'} → ${m.newContact?.name}; Previous_Contact__c → ${m.oldContact?.name ?? '(unchanged)'}; a completed audit Task is logged`;
    case 'follow-up-reminder-creator':
      return `New Task for the CSM "${m.reminderMessage}", due in ${plural(m.daysUntilReminder, 'business day')}, with a reminder`;
    case 'email-engagement-tracker':
      return `Tracks opens and clicks of "${m.emailSubject}" sent to ${m.sentTo}; engagement is logged on the opportunity`;
    case 'crm-opportunity-updater':
      return `${opp}: ${Object.entries(m.fields ?? {})
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k} ${JSON.stringify((ctx.opportunity as Record<string, unknown>)[k.charAt(0).toLowerCase() + k.slice(1)] ?? null)} → ${JSON.stringify(v)}`)
        .join('; ')}`;
    case 'workflow-scheduler':
      return `Schedules the ${m.stage} workflow on ${m.triggerDate} (no Salesforce record changes)`;
  }
}
