import { addPlanTask } from '../service/src/db/processor-records.ts';
import { recordMirrorResults } from '../service/src/db/mirror-queue.ts';
import { mirrorTaskOf } from '../service/src/workflows/mirror.ts';
import { taskRecord } from '../service/src/salesforce/task-mirror.ts';
import { processorCatalog } from './catalog.ts';
import { upsertTask } from './salesforce.ts';
import type { Processor } from './types.ts';

const name = 'follow-up-reminder-creator';

/**
 * Creates the CSM's follow-up reminder: a task due N business days ahead (weekends and the configured public
 * holidays skipped), snoozed until that day so it resurfaces then, and mirrored to Salesforce with a reminder at
 * 8:00 UTC that day. The task is keyed `<source key>-reminder` and the Salesforce Task by the new task's id.
 */
export const followUpReminderCreator: Processor<(typeof processorCatalog)[typeof name]['metadata']> = {
  name,
  metadata: processorCatalog[name].metadata,
  async execute(input, { task, services }) {
    const today = services.today();
    const remindOn = services.calendar.add(today, input.daysUntilReminder);
    const { task: reminder, created } = await addPlanTask(services.sql, {
      sourceTask: task,
      keySuffix: 'reminder',
      owner: 'CSM',
      action: `Follow up: ${input.relatedAction}`.slice(0, 200),
      description: input.reminderMessage,
      priority: input.reminderPriority,
      dueDate: remindOn,
      status: 'snoozed',
      snoozedUntil: `${remindOn}T00:00:00Z`,
      metadata: { createdByTaskId: task.id, reminderDate: remindOn },
    });
    const reminderAt = `${remindOn}T08:00:00.000Z`;
    const salesforceTaskId = await upsertTask(services.salesforce, reminder.id, {
      ...taskRecord(mirrorTaskOf(reminder, [])),
      IsReminderSet: true,
      ReminderDateTime: reminderAt,
    });
    await recordMirrorResults(services.sql, [{ taskId: reminder.id, salesforceTaskId, readAt: reminder.updatedAt }]);
    return {
      summary: `Reminder for ${remindOn} created (${input.daysUntilReminder} business days from ${today}).`,
      reminderTaskId: reminder.id,
      reminderDate: remindOn,
      salesforceTaskId,
      created,
    };
  },
};
