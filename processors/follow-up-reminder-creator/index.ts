import { z } from 'zod';
import { plural } from '../../service/src/words.ts';
import { defineProcessor, type FieldChange } from '../port.ts';

const newTask = (field: string, newValue: FieldChange['newValue']): FieldChange => ({
  object: 'Task',
  recordId: null,
  recordName: null,
  field,
  oldValue: null,
  newValue,
});

/**
 * Creates the CSM's follow-up reminder: a task due N business days ahead (weekends and the configured public
 * holidays skipped), snoozed until that day so it resurfaces then, and mirrored to Salesforce with a reminder at
 * 8:00 UTC that day. The task is keyed `<source key>-reminder` and the Salesforce Task by the new task's id.
 */
export const followUpReminderCreator = defineProcessor({
  name: 'follow-up-reminder-creator',
  summary: 'Creates a CSM follow-up reminder N business days ahead, snoozed until then',
  metadata: z.strictObject({
    daysUntilReminder: z.number().int().min(1).max(60),
    reminderMessage: z.string().min(1).max(500),
    reminderPriority: z.number().int().min(1).max(5),
    relatedAction: z.string().min(1).max(200),
  }),
  writesFields: false,
  changePreview: (input) => ({
    description: `New Task for the CSM "${input.reminderMessage}", due in ${plural(input.daysUntilReminder, 'business day')}, with a reminder`,
    fields: [
      newTask('Subject', input.reminderMessage),
      newTask('ActivityDate', `in ${plural(input.daysUntilReminder, 'business day')}`),
      newTask('Priority', input.reminderPriority),
    ],
  }),
  async run(input, { task, services }) {
    const today = services.today();
    const remindOn = services.calendar.add(today, input.daysUntilReminder);
    const reminder = await services.addPlanTask(
      {
        keySuffix: 'reminder',
        owner: 'CSM',
        action: `Follow up: ${input.relatedAction}`.slice(0, 200),
        description: input.reminderMessage,
        priority: input.reminderPriority,
        dueDate: remindOn,
        status: 'snoozed',
        snoozedUntil: `${remindOn}T00:00:00Z`,
        metadata: { createdByTaskId: task.id, reminderDate: remindOn },
      },
      { salesforceTask: { IsReminderSet: true, ReminderDateTime: `${remindOn}T08:00:00.000Z` } },
    );
    return {
      summary: `Reminder for ${remindOn} created (${input.daysUntilReminder} business days from ${today}).`,
      reminderTaskId: reminder.id,
      reminderDate: remindOn,
      salesforceTaskId: reminder.salesforceTaskId,
      created: reminder.created,
    };
  },
});
