import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * Task dependencies through the API and the Salesforce mirror (jsforce against the org emulator): the Discovery plan's
 * CFO reminder waits for the CFO task.
 */
describe('task dependencies', () => {
  // Each test starts from its own service, database and org (no test relies on another having run first), so any one
  // of them runs alone with `-t`.
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.close());

  const sfTask = (taskId: string) => h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === taskId)!;

  /** The Discovery demo's draft plan: its CFO task and the AI reminder that waits for it. */
  async function draft() {
    const executionId: string = (await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution.id;
    const base = `/api/workflows/executions/${executionId}/action-plan`;
    const draftPlan = (await h.api('POST', `${base}/generate`)).body.plan;
    const cfo = draftPlan.csmTasks.find((t: any) => t.action === 'Engage the economic buyer (CFO)');
    const reminder = draftPlan.aiTasks.find((t: any) => t.dependsOn.includes(cfo.key));
    expect(reminder.action).toBe('Remind the CSM to follow up on the CFO meeting request');
    return { base, draft: draftPlan, cfo, reminder };
  }

  /** The same plan finalized as generated. */
  async function finalized() {
    const drafted = await draft();
    const res = await h.api('POST', `${drafted.base}/finalize`, {});
    expect(res.status, res.text).toBe(200);
    const plan = res.body.plan;
    return {
      ...drafted,
      plan,
      ai: plan.aiTasks.find((t: any) => t.key === drafted.reminder.key),
      cfoRow: plan.csmTasks.find((t: any) => t.key === drafted.cfo.key),
    };
  }

  it('shows in the draft (the approval gate) what a task waits for', async () => {
    const { cfo, reminder } = await draft();
    expect(reminder.blockedBy).toEqual([{ key: cfo.key, action: cfo.action, owner: 'CSM', status: 'pending' }]);
  });

  it('refuses to finalize an edit that removes a task another one waits for, naming both (400)', async () => {
    const { base, cfo, reminder } = await draft();
    const res = await h.api('POST', `${base}/finalize`, { edits: [{ key: cfo.key, include: false }] });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([
      {
        path: 'body.edits.0.include',
        message: `${cfo.key} "${cfo.action}" is removed, but ${reminder.key} "${reminder.action}" waits for it; remove ${reminder.key} too or keep ${cfo.key}`,
      },
    ]);
  });

  it('finalizes with the dependency stored, the blocked Salesforce Tasks waiting and saying what they wait for', async () => {
    const { cfo, reminder, ai } = await finalized();
    const [dep] = await h.sql`
      SELECT t.plan_task_key AS task, p.plan_task_key AS prerequisite FROM task_dependencies d
        JOIN workflow_tasks t ON t.id = d.task_id JOIN workflow_tasks p ON p.id = d.prerequisite_id`;
    expect(dep).toEqual({ task: reminder.key, prerequisite: cfo.key });
    const { records } = await h.deps.salesforce.conn.query<{ Status: string; Description: string }>(
      `SELECT Status, Description FROM Task WHERE Action_Plan_Task_Id__c = '${ai.taskId}'`,
    );
    expect(records[0]!.Status).toBe('Waiting on someone else');
    expect(records[0]!.Description).toContain(`Waits for: ${cfo.action} (not done yet)`);
  });

  it('answers 409 naming the prerequisite when the blocked AI task is run, and never claims it', async () => {
    const { cfo, reminder, ai } = await finalized();
    const res = await h.api('POST', `/api/workflows/tasks/${ai.taskId}/execute`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(`"${reminder.action}" waits for unfinished tasks: ${cfo.key} "${cfo.action}" (pending)`);
    const [row] = await h.sql`SELECT execution_status, attempts FROM workflow_tasks WHERE id = ${ai.taskId}`;
    expect(row).toEqual({ execution_status: 'queued', attempts: 0 });
  });

  it('answers 409 naming the prerequisites when a blocked CSM task or one of its sub-tasks is completed', async () => {
    const { plan, cfo, cfoRow } = await finalized();
    // A CSM task made to wait for the CFO task (the playbook's own dependency is an AI task's).
    const target = plan.csmTasks.find((t: any) => t.key !== cfo.key && t.subTasks.length === 0);
    await h.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${target.taskId}, ${cfoRow.taskId})`;
    const res = await h.api('PATCH', `/api/workflows/tasks/${target.taskId}`, { status: 'completed' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'CONFLICT',
      message: `"${target.action}" cannot be completed before the tasks it waits for: ${cfo.key} "${cfo.action}" (pending)`,
    });
    await h.sql`DELETE FROM task_dependencies WHERE task_id = ${target.taskId}`;
    // A sub-task waits for what its task waits for: the CFO task made to wait for the target blocks its sub-tasks.
    await h.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${cfoRow.taskId}, ${target.taskId})`;
    const sub = await h.api('PATCH', `/api/workflows/tasks/${cfoRow.subTasks[0].taskId}`, { status: 'completed' });
    expect(sub.status).toBe(409);
    expect(sub.body.error.message).toContain(`waits for: ${target.key} "${target.action}"`);
  });

  it('completing the prerequisite unblocks the dependent: runnable, and its Salesforce Task active again', async () => {
    const { base, cfo, reminder, ai, cfoRow } = await finalized();
    expect((await h.api('PATCH', `/api/workflows/tasks/${cfoRow.taskId}`, { status: 'completed' })).status).toBe(200);
    expect(sfTask(ai.taskId).Status).toBe('Not Started');
    expect(sfTask(ai.taskId).Description).toContain(`Waits for: ${cfo.action} (completed)`);
    const view = (await h.api('GET', base)).body.plan;
    expect(view.aiTasks.find((t: any) => t.key === reminder.key).blockedBy).toEqual([]);
    const run = await h.api('POST', `/api/workflows/tasks/${ai.taskId}/execute`);
    expect(run.status, run.text).toBe(200);
    expect(run.body.outcome.status).toBe('success');
  });

  it('orders the timeline after what each step waits for', async () => {
    const { base, cfo, reminder } = await finalized();
    const view = (await h.api('GET', base)).body.plan;
    const at = (key: string) => view.timeline.findIndex((s: any) => s.taskKeys.includes(key));
    expect(at(reminder.key)).toBeGreaterThan(at(cfo.key));
  });
});
