import { afterEach, describe, expect, it } from 'vitest';
import { getTask } from '../../service/src/db/tasks.ts';
import { createExecutor } from '../../service/src/executor/index.ts';
import { resurfaceTasks, startDueWorkflows } from '../../service/src/schedules/jobs.ts';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { insertAiTasks } from '../../testkit/executor/fixtures.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * The date-sensitive paths at dates that break naive code — Thanksgiving, a Saturday, the year end, New Year's Day —
 * with the service and the org both pinned there. Nothing here depends on the machine's date.
 */
const DATES = [
  { today: '2026-11-26', what: 'Thanksgiving (US holiday, Thursday)', reminderIn1: '2026-11-27', reminderIn3: '2026-12-01' },
  { today: '2026-11-28', what: 'a Saturday', reminderIn1: '2026-11-30', reminderIn3: '2026-12-02' },
  { today: '2026-12-31', what: 'the year end', reminderIn1: '2027-01-04', reminderIn3: '2027-01-06' },
  { today: '2027-01-01', what: "New Year's Day (US holiday, Friday)", reminderIn1: '2027-01-04', reminderIn3: '2027-01-06' },
] as const;

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

describe.each(DATES)('on $today ($what)', ({ today, reminderIn1, reminderIn3 }) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('plans in the right stage window, syncs completions, counts reminders in business days and starts the next stage on its date', async () => {
    h = await startHarness({ today });
    expect(h.deps.today()).toBe(today);
    const { executionId, plan } = await h.finalizedPlan();

    // Stage window: the demo renewal is 165 days out whatever today is, so Discovery (150–179).
    expect(plan).toMatchObject({ stage: 'Discovery', daysToRenewal: 165, renewalDate: addDays(today, 165) });
    for (const task of plan.csmTasks) {
      expect(task.dueDate >= today, `${task.dueDate} is not before ${today}`).toBe(true);
      expect(task.dueDate <= plan.renewalDate).toBe(true);
      expect([0, 6]).not.toContain(weekday(task.dueDate));
      expect(h.deps.calendar.isBusinessDay(task.dueDate), `${task.dueDate} is a business day`).toBe(true);
    }

    // Completion sync: a Task closed in Salesforce today completes its plan task (the cursor starts from the pinned clock).
    const csmTask = plan.csmTasks[0];
    const record = h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === csmTask.taskId)!;
    h.org.updateRecord('Task', String(record.Id), { Status: 'Completed' });
    expect((await syncTaskStatusFromSalesforce(h.deps)).completed).toEqual([csmTask.taskId]);

    // Follow-up reminders: N business days from today, skipping weekends and US holidays; snoozed until then.
    const ids = await insertAiTasks(
      h.sql,
      { executionId, planId: plan.id },
      [1, 3].map((days) => ({
        processor: 'follow-up-reminder-creator',
        key: `ai-reminder-${days}`,
        metadata: { daysUntilReminder: days, reminderMessage: 'Check in', relatedAction: `Follow-up in ${days}`, reminderPriority: 2 },
      })),
      h.discoveryId,
    );
    // (The plan's own AI tasks run in the same batch.)
    const outcomes = await createExecutor(h.deps, { options: { retryDelayMs: 0 } }).runOnce();
    expect(outcomes.filter((o) => ids.includes(o.taskId)).map((o) => o.status)).toEqual(['success', 'success']);
    const dates = await Promise.all(
      ids.map(async (id) => ((await getTask(h.sql, id))!.executionResult as { reminderDate: string }).reminderDate),
    );
    expect(dates).toEqual([reminderIn1, reminderIn3]);
    const reminder = h.org.records('Task').find((t) => t.Subject === `Follow up: Follow-up in 1`)!;
    expect(reminder).toMatchObject({ ActivityDate: reminderIn1, ReminderDateTime: `${reminderIn1}T08:00:00.000+0000` });

    // Resurfacing follows the same clock: not today, but on the reminder's day.
    expect(await resurfaceTasks(h.deps)).toEqual({ resurfaced: 0 });
    const onReminderDay = { ...h.deps, now: () => new Date(`${reminderIn1}T09:00:00Z`), today: () => reminderIn1 };
    expect(await resurfaceTasks(onReminderDay)).toEqual({ resurfaced: 1 });

    // The next stage workflow: scheduled for its trigger date, not started a day before, started on the day.
    const [scheduled] = await h.sql<{ triggerDate: string }[]>`
      SELECT to_char(trigger_date, 'YYYY-MM-DD') AS "triggerDate" FROM scheduled_workflows WHERE status = 'scheduled'`;
    expect(scheduled!.triggerDate > today).toBe(true);
    const at = (date: string) => ({ ...h.deps, now: () => new Date(`${date}T12:00:00Z`), today: () => date });
    expect(await startDueWorkflows(at(addDays(scheduled!.triggerDate, -1)))).toEqual({ started: 0, failed: 0 });
    expect(await startDueWorkflows(at(scheduled!.triggerDate))).toEqual({ started: 1, failed: 0 });
  });
});
