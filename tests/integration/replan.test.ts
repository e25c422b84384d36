import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../service/src/calendar/dates.ts';
import type { Planner, PlanningInput } from '../../service/src/plan/planner.ts';
import { PlaybookPlanner } from '../../service/src/plan/playbook.ts';
import type { ActionPlanContent } from '../../service/src/plan/schema.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/** The playbook's plan, reshaped by the test to stand for a planner that changed its mind between versions. */
class ReshapedPlaybook implements Planner {
  readonly name = 'playbook' as const;
  reshape: ((content: ActionPlanContent) => void) | null = null;
  private readonly playbook = new PlaybookPlanner();
  async plan(input: PlanningInput) {
    const out = await this.playbook.plan(input);
    if (this.reshape) this.reshape(out.content);
    return out;
  }
}

/**
 * Re-planning a finalized plan, through the API on the real PostgreSQL and the local Salesforce org emulator (not
 * Salesforce): the CSM's work carries over, finalize re-points tasks (one Salesforce Task each, never two), cancels
 * what the new version dropped, and a moved renewal date re-dates open tasks in business days.
 */
describe('re-planning a finalized action plan', () => {
  let h: Harness;
  let planner: ReshapedPlaybook;
  let executionId: string;
  let v1: any;
  let v2: any;
  // The CSM's work on version 1.
  let completed: any; // a CSM task completed through the service
  let redated: any; // a CSM task whose due date the CSM moved (PATCH)
  let retitled: any; // a CSM task retitled and reprioritised at finalize
  let ran: any; // an AI task that already ran
  let dropped: any; // an open CSM task version 2 no longer has
  let reworded: any; // an AI task version 2 describes differently
  const newDue = '2026-12-15';

  const base = () => `/api/workflows/executions/${executionId}/action-plan`;
  const mirroredTasks = () => h.org.records('Task').filter((t) => t.Action_Plan_Task_Id__c);
  const sfTasksOf = (taskId: string) => mirroredTasks().filter((t) => t.Action_Plan_Task_Id__c === taskId);
  const row = async (id: string) =>
    (await h.sql`SELECT *, to_char(due_date, 'YYYY-MM-DD') AS due FROM workflow_tasks WHERE id = ${id}`)[0]!;
  const counts = async () => {
    const [n] = await h.sql`SELECT (SELECT count(*) FROM workflow_tasks)::int AS tasks, (SELECT count(*) FROM notifications)::int AS notes,
                                   (SELECT count(*) FROM scheduled_workflows)::int AS scheduled`;
    return { ...(n as { tasks: number; notes: number; scheduled: number }), salesforce: mirroredTasks().length };
  };

  beforeAll(async () => {
    h = await startHarness();
    planner = new ReshapedPlaybook();
    h.deps.planner = planner;
    const started = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    executionId = started.body.execution.id;
    const draft = (await h.api('POST', `${base()}/generate`)).body.plan;
    const [first, second] = draft.csmTasks;
    const res = await h.api('POST', `${base()}/finalize`, {
      planId: draft.id,
      edits: [{ key: second.key, action: 'Call Eric Estrada this week', priority: 5 }],
    });
    expect(res.status).toBe(200);
    v1 = res.body.plan;
    expect(v1.csmTasks.length).toBeGreaterThanOrEqual(4);
    expect(v1.aiTasks.length).toBeGreaterThanOrEqual(2);
    completed = v1.csmTasks.find((t: any) => t.key === first.key);
    retitled = v1.csmTasks.find((t: any) => t.key === second.key);
    const open = v1.csmTasks.filter((t: any) => t !== completed && t !== retitled && t.subTasks.length === 0);
    [redated, dropped] = [open[0], open.at(-1)];
    expect(redated.key).not.toBe(dropped.key);
    // The reminder runs without changing what the playbook reads in the CRM, so version 2 proposes it again.
    // (One that waits for nothing: the CFO reminder waits for its CSM task.)
    ran = v1.aiTasks.find((t: any) => t.processor === 'follow-up-reminder-creator' && t.dependsOn.length === 0);
    reworded = v1.aiTasks.find((t: any) => t !== ran && t.processor !== 'salesforce-contact-updater');
  });
  afterAll(async () => h?.close());

  it('the CSM works on version 1: completes a task, moves a due date, an AI task runs', async () => {
    expect((await h.api('PATCH', `/api/workflows/tasks/${completed.taskId}`, { status: 'completed' })).status).toBe(200);
    expect((await h.api('PATCH', `/api/workflows/tasks/${redated.taskId}`, { dueDate: newDue })).status).toBe(200);
    const run = await h.api('POST', `/api/workflows/tasks/${ran.taskId}/execute`);
    expect(run.body.outcome).toEqual({ status: 'success', error: null });
    const [execution] = await h.sql`SELECT status FROM workflow_executions WHERE id = ${executionId}`;
    expect(execution!.status).toBe('completed');
  });

  it('generating after finalize makes a draft version 2 with the diff and the CSM work kept', async () => {
    const before = await counts();
    planner.reshape = (c) => {
      c.csmTasks = c.csmTasks.filter((t) => t.action !== dropped.action);
      const template = c.csmTasks[0]!;
      c.csmTasks.push({
        ...structuredClone(template),
        key: 'csm-new',
        action: 'Send the renewal timeline to Eric Estrada',
        subTasks: [],
        complexity: 'simple',
      });
      c.aiTasks.find((t) => t.action === reworded.action)!.description = 'Reworded by version 2';
    };
    const res = await h.api('POST', `${base()}/generate`);
    expect(res.status, res.text).toBe(201);
    v2 = res.body.plan;
    expect(v2).toMatchObject({ status: 'draft', version: 2 });
    expect(v2.diff.previousVersion).toBe(1);
    expect(v2.diff.added).toEqual([{ key: 'csm-new', owner: 'CSM', action: 'Send the renewal timeline to Eric Estrada' }]);
    expect(v2.diff.removed).toEqual([{ key: dropped.key, owner: 'CSM', action: dropped.action }]);
    expect(v2.diff.changed).toContainEqual(
      expect.objectContaining({
        action: reworded.action,
        fields: [expect.objectContaining({ field: 'description', to: 'Reworded by version 2' })],
      }),
    );
    expect(v2.diff.renewalDateMoved).toBeNull();

    const csm = (action: string) => v2.csmTasks.find((t: any) => t.action === action);
    expect(csm(completed.action)).toMatchObject({
      status: 'completed',
      carried: { fromTaskId: completed.taskId, fromVersion: 1, done: true, status: 'completed' },
    });
    expect(csm(redated.action)).toMatchObject({
      dueDate: newDue,
      status: 'pending',
      carried: { fromTaskId: redated.taskId, done: false, csmEdited: ['dueDate'] },
    });
    expect(csm('Call Eric Estrada this week')).toMatchObject({
      priority: 5,
      carried: { fromTaskId: retitled.taskId, csmEdited: ['action', 'priority'] },
    });
    expect(csm('Send the renewal timeline to Eric Estrada').carried).toBeNull();
    expect(v2.aiTasks.find((t: any) => t.action === ran.action)).toMatchObject({
      executionStatus: 'success',
      carried: { fromTaskId: ran.taskId, done: true },
    });
    expect(v2.aiTasks.find((t: any) => t.action === reworded.action)).toMatchObject({
      executionStatus: null,
      carried: { fromTaskId: reworded.taskId, done: false },
    });
    // The CSM's edits are not changes: the edited tasks pair with what the CSM has now.
    const fieldsChanged = (action: string) =>
      (v2.diff.changed.find((c: any) => c.action === action)?.fields ?? []).map((f: any) => f.field);
    expect(fieldsChanged(redated.action)).not.toContain('dueDate');
    expect(fieldsChanged('Call Eric Estrada this week')).not.toContain('action');
    expect(fieldsChanged('Call Eric Estrada this week')).not.toContain('priority');

    // The draft is what the CSM now reviews; version 1 stays in force, untouched, until the draft is finalized.
    const current = await h.api('GET', base());
    expect(current.body.plan).toMatchObject({ id: v2.id, status: 'draft' });
    const [plan1] = await h.sql`SELECT status FROM action_plans WHERE id = ${v1.id}`;
    expect(plan1!.status).toBe('finalized');
    expect(await counts()).toEqual(before);
    expect((await row(dropped.taskId)).status).toBe('pending');
  });

  it('finalizing version 2 re-points the carried tasks: no duplicate Salesforce Task, the CSM work survives', async () => {
    const before = await counts();
    const res = await h.api('POST', `${base()}/finalize`, { planId: v2.id });
    expect(res.status).toBe(200);
    const done = res.body.plan;
    expect(done).toMatchObject({ id: v2.id, status: 'finalized', version: 2 });
    const plans = await h.sql`SELECT id, status FROM action_plans WHERE execution_id = ${executionId} ORDER BY version`;
    expect(plans.map((p) => [p.id, p.status])).toEqual([
      [v1.id, 'superseded'],
      [v2.id, 'finalized'],
    ]);

    // Every task of version 2 that carries a version 1 task is that same row, so the same Salesforce Task.
    const carried = [...done.aiTasks, ...done.csmTasks].filter((t: any) => t.carried);
    expect(carried.length).toBe(v1.aiTasks.length + v1.csmTasks.length - 1);
    for (const t of carried) {
      expect(t.taskId).toBe(t.carried.fromTaskId);
      expect(sfTasksOf(t.taskId)).toHaveLength(1);
    }
    for (const t of mirroredTasks()) expect(sfTasksOf(String(t.Action_Plan_Task_Id__c))).toHaveLength(1);
    const added = done.csmTasks.find((t: any) => t.key === 'csm-new');
    expect(added.carried).toBeNull();
    expect(sfTasksOf(added.taskId)).toHaveLength(1);
    expect((await counts()).salesforce).toBe(before.salesforce + 1);

    // The completed task stays completed, the CSM's date and finalize edits stay.
    const keptDone = await row(completed.taskId);
    expect(keptDone).toMatchObject({ status: 'completed', action_plan_id: v2.id });
    expect(sfTasksOf(completed.taskId)[0]!.Status).toBe('Completed');
    expect((await row(redated.taskId)).due).toBe(newDue);
    expect(sfTasksOf(redated.taskId)[0]!.ActivityDate).toBe(newDue);
    expect(await row(retitled.taskId)).toMatchObject({ action: 'Call Eric Estrada this week', priority: 5 });
    expect(sfTasksOf(retitled.taskId)[0]!.Subject).toBe('Call Eric Estrada this week');

    // The AI task that ran is not queued again; the reworded one stays queued, with the new text in Salesforce.
    expect(await row(ran.taskId)).toMatchObject({ execution_status: 'success', status: 'completed', attempts: 1 });
    expect(await row(reworded.taskId)).toMatchObject({ execution_status: 'queued', description: 'Reworded by version 2' });
    expect(String(sfTasksOf(reworded.taskId)[0]!.Description)).toContain('Reworded by version 2');
    const queued =
      await h.sql`SELECT id FROM workflow_tasks WHERE execution_id = ${executionId} AND execution_status = 'queued' AND status <> 'cancelled'`;
    expect(queued.map((q) => q.id)).not.toContain(ran.taskId);

    // The dropped open task is cancelled with a note, and Deferred in Salesforce.
    const gone = await row(dropped.taskId);
    expect(gone).toMatchObject({ status: 'cancelled', action_plan_id: v1.id });
    expect(gone.description).toMatch(/Cancelled: not in version 2/);
    expect(sfTasksOf(dropped.taskId)[0]!.Status).toBe('Deferred');

    // Sub-tasks follow their parent.
    const complex = done.csmTasks.find((t: any) => t.subTasks.length > 0);
    const subs = await h.sql`SELECT action_plan_id, parent_task_id FROM workflow_tasks WHERE parent_task_id = ${complex.taskId}`;
    expect(subs).toHaveLength(complex.subTasks.length);
    expect(subs.every((s) => s.action_plan_id === v2.id)).toBe(true);
    expect(complex.subTasks.every((s: any) => s.taskId)).toBe(true);

    // One next workflow in force, one notification of the update.
    const scheduled =
      await h.sql`SELECT source_plan_id, status FROM scheduled_workflows WHERE source_execution_id = ${executionId} ORDER BY created_at`;
    expect(scheduled.map((s) => [s.source_plan_id, s.status])).toEqual([
      [v1.id, 'cancelled'],
      [v2.id, 'scheduled'],
    ]);
    // The reminder the AI task created as it ran (snoozed until its date) is not a plan task: it follows the plan as it is.
    const reminders =
      await h.sql`SELECT action_plan_id, status FROM workflow_tasks WHERE execution_id = ${executionId} AND plan_task_key LIKE '%-reminder'`;
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.map((r) => [r.action_plan_id, r.status])).toEqual(reminders.map(() => [v2.id, 'snoozed']));
    const notes = await h.sql`SELECT kind, title FROM notifications WHERE plan_id = ${v2.id}`;
    expect(notes).toEqual([{ kind: 'plan-updated', title: `Action plan updated: +1 −1 ~${v2.diff.changed.length}` }]);
    const [execution] = await h.sql`SELECT status FROM workflow_executions WHERE id = ${executionId}`;
    expect(execution!.status).toBe('completed');
    v2 = done;
  });

  it('finalizing version 2 again changes nothing', async () => {
    const before = await counts();
    const rowsBefore = await h.sql`SELECT id, action_plan_id, status, execution_status, updated_at FROM workflow_tasks ORDER BY id`;
    const again = await h.api('POST', `${base()}/finalize`, { planId: v2.id });
    expect(again.status).toBe(200);
    expect(again.body.plan).toMatchObject({ id: v2.id, status: 'finalized' });
    expect(await counts()).toEqual(before);
    expect(await h.sql`SELECT id, action_plan_id, status, execution_status, updated_at FROM workflow_tasks ORDER BY id`).toEqual(
      rowsBefore,
    );
  });

  it('when the renewal date moves, open tasks are re-dated by its business days and the CSM sees the shift', async () => {
    planner.reshape = null;
    const oldRenewal = String(h.org.records('Opportunity').find((o) => o.Id === h.discoveryId)!.CloseDate);
    const moved = addDays(oldRenewal, 7);
    h.org.updateRecord('Opportunity', h.discoveryId, { CloseDate: moved });
    const res = await h.api('POST', `${base()}/generate`);
    expect(res.status).toBe(201);
    const v3 = res.body.plan;
    // The CSM's retitle from version 1 is still the CSM's in version 3.
    expect(v3.csmTasks.find((t: any) => t.carried?.fromTaskId === retitled.taskId)).toMatchObject({
      action: 'Call Eric Estrada this week',
      priority: 5,
    });
    expect(v3.diff).toMatchObject({ previousVersion: 2, renewalDateMoved: { from: oldRenewal, to: moved, businessDays: 5 } });
    // The CSM's own date moves with the renewal: it keeps its place in the schedule.
    const shifted = h.deps.calendar.add(newDue, 5);
    const keptEdit = v3.csmTasks.find((t: any) => t.carried?.fromTaskId === redated.taskId);
    expect(keptEdit.dueDate).toBe(shifted);
    expect(v3.diff.changed).toContainEqual(
      expect.objectContaining({ key: keptEdit.key, fields: expect.arrayContaining([{ field: 'dueDate', from: newDue, to: shifted }]) }),
    );
    for (const t of v3.csmTasks.filter((x: any) => x.carried && !x.carried.done)) {
      const previous = v2.csmTasks.find((p: any) => p.taskId === t.carried.fromTaskId);
      expect(t.dueDate).toBe(h.deps.calendar.add(h.deps.calendar.onOrAfter(previous.dueDate), 5));
    }

    const before = await counts();
    const done = (await h.api('POST', `${base()}/finalize`, { planId: v3.id })).body.plan;
    expect(done.status).toBe('finalized');
    expect((await row(redated.taskId)).due).toBe(shifted);
    expect(sfTasksOf(redated.taskId)).toHaveLength(1);
    expect(sfTasksOf(redated.taskId)[0]!.ActivityDate).toBe(shifted);
    // The completed task keeps its date; only the added tasks are new (version 3 proposes the dropped one again).
    expect((await row(completed.taskId)).due).toBe(v2.csmTasks.find((t: any) => t.taskId === completed.taskId).dueDate);
    expect(v3.diff.added.map((t: any) => t.action)).toEqual([dropped.action]);
    expect(v3.diff.removed.map((t: any) => t.action)).toEqual(['Send the renewal timeline to Eric Estrada']);
    expect(await counts()).toMatchObject({ tasks: before.tasks + 1, salesforce: before.salesforce + 1 });
    const [note] = await h.sql`SELECT title, body FROM notifications WHERE plan_id = ${v3.id}`;
    expect(note!.title).toBe(`Action plan updated: +1 −1 ~${v3.diff.changed.length}`);
    expect(note!.body).toContain(`moved from ${oldRenewal} to ${moved}; open tasks moved 5 business days.`);
  });
});
