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

type ReminderInput = { daysUntilReminder: number; reminderMessage: string; relatedAction: string };

/**
 * The reminder task as it will be created: its subject (the plan task's action, the Salesforce Task's Subject) and
 * its description. The approval gate's preview and `run` both read it, so what the CSM approves is what is created.
 */
const reminderTask = (input: ReminderInput) => ({
  action: `Follow up: ${input.relatedAction}`.slice(0, 200),
  description: input.reminderMessage,
  due: `in ${plural(input.daysUntilReminder, 'business day')}`,
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
  changePreview: (input) => {
    const reminder = reminderTask(input);
    return {
      description: `New Task for the CSM "${reminder.action}", due ${reminder.due}, with a reminder: ${reminder.description}`,
      fields: [
        newTask('Subject', reminder.action),
        newTask('Description', reminder.description),
        newTask('ActivityDate', reminder.due),
        newTask('Priority', input.reminderPriority),
      ],
    };
  },
  async run(input, { task, services }) {
    const today = services.today();
    const remindOn = services.calendar.add(today, input.daysUntilReminder);
    const { action, description } = reminderTask(input);
    const reminder = await services.addPlanTask(
      {
        keySuffix: 'reminder',
        owner: 'CSM',
        action,
        description,
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
