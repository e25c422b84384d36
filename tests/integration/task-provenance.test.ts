import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mirrorPendingTasks } from '../../service/src/sync/mirror/mirror.ts';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { API_KEY, startHarness, type Harness } from '../../testkit/harness.ts';

const run = promisify(execFile);

/**
 * Task provenance (issue 21): a Salesforce Task speaks for a plan task only when it is the Task the mirror wrote (its
 * Id is the stored salesforce_task_id) on the plan's opportunity. Every Task here is written through jsforce against
 * the org emulator, as a user in the org would.
 */
describe('which Salesforce Task speaks for a plan task', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.close());

  const conn = () => h.deps.salesforce.conn;
  const statusOf = async (id: string) => (await h.sql`SELECT status FROM workflow_tasks WHERE id = ${id}`)[0]!.status as string;
  const createTask = async (fields: Record<string, unknown>) =>
    (
      (await conn()
        .sobject('Task')
        .create(fields as never)) as unknown as { id: string; success: boolean }
    ).id;
  const mirrorOf = (taskId: string) => h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === taskId)!;
  const logged = () => h.logLines.map((l) => JSON.parse(l) as Record<string, any>);
  async function metrics() {
    const res = await h.app.request('/metrics', { headers: { authorization: `Bearer ${API_KEY}` } });
    return res.text();
  }

  it('skips a Task on another opportunity carrying a sub-task key, and reports it in the log, the metrics and the CLI', async () => {
    const { plan } = await h.finalizedPlan();
    const parent = plan.csmTasks.find((t: any) => t.subTasks.length > 0);
    const sub = parent.subTasks[0];
    const other = h.opportunities['Northwind Traders — Renewal'] ?? Object.values(h.opportunities).find((id) => id !== h.discoveryId)!;
    const foreign = await createTask({ Subject: 'done!', WhatId: other, Status: 'Completed', Action_Plan_Task_Id__c: sub.taskId });
    // The control: the mirror's own Task of another plan task, closed in the same sync, still completes it.
    const own = plan.csmTasks.find((t: any) => t.taskId !== parent.taskId);
    await conn()
      .sobject('Task')
      .update({ Id: String(mirrorOf(own.taskId).Id), Status: 'Completed' } as never);
    h.logLines.length = 0;

    const report = await syncTaskStatusFromSalesforce(h.deps);

    expect(report.completed).toEqual([own.taskId]);
    expect(report.skipped).toEqual([foreign]);
    expect(await statusOf(sub.taskId)).toBe('pending');
    expect(await statusOf(own.taskId)).toBe('completed');
    const warning = logged().find((l) => /not the Task the mirror wrote/.test(l.msg));
    expect(warning).toMatchObject({
      level: 'warn',
      count: 1,
      tasks: [{ salesforceTaskId: foreign, taskId: sub.taskId, whatId: other, reason: 'other-opportunity' }],
    });
    expect(await metrics()).toMatch(/^rap_salesforce_tasks_skipped\{reason="other-opportunity"\} 1$/m);
    const cli = await run(process.execPath, ['--import', 'tsx', 'scripts/tasks-cli.ts', 'mirrors'], {
      env: { ...process.env, DATABASE_URL: h.db.url, LOG_LEVEL: 'silent' },
    });
    expect(cli.stdout).toContain("salesforce tasks skipped (carry a plan task's key, not the Task the mirror wrote): 1");
    expect(cli.stdout).toContain(foreign);
    expect(cli.stdout).toContain('other-opportunity');
  });

  it('skips a Task on the same opportunity with a copied key but another Id than the one the mirror wrote', async () => {
    const { plan } = await h.finalizedPlan();
    const task = plan.csmTasks[0];
    const mirrored = String(mirrorOf(task.taskId).Id);
    // The key is unique in the org, so the copy needs the mirror's Task gone first (deleted by someone in the org).
    await conn().sobject('Task').destroy(mirrored);
    const copy = await createTask({ Subject: 'copy', WhatId: h.discoveryId, Status: 'Completed', Action_Plan_Task_Id__c: task.taskId });
    expect(copy).not.toBe(mirrored);

    const report = await syncTaskStatusFromSalesforce(h.deps);

    expect(report).toMatchObject({ completed: [], skipped: [copy] });
    expect(await statusOf(task.taskId)).toBe('pending');
    expect(await metrics()).toMatch(/^rap_salesforce_tasks_skipped\{reason="not-the-mirrored-task"\} 1$/m);
  });

  it('keeps a cancelled task cancelled when its Task is closed in Salesforce, and mirrors the Task back to Deferred', async () => {
    const { plan } = await h.finalizedPlan();
    const task = plan.csmTasks[0];
    expect((await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { status: 'cancelled' })).status).toBe(200);
    const taskId = String(mirrorOf(task.taskId).Id);
    expect(mirrorOf(task.taskId).Status).toBe('Deferred');
    await conn()
      .sobject('Task')
      .update({ Id: taskId, Status: 'Completed' } as never);

    const report = await syncTaskStatusFromSalesforce(h.deps);

    expect(report).toMatchObject({ completed: [], remirrored: [task.taskId], skipped: [] });
    expect(await statusOf(task.taskId)).toBe('cancelled');
    await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    const back = (await conn().sobject('Task').retrieve(taskId)) as unknown as { Status: string; IsClosed: boolean };
    expect(back).toMatchObject({ Status: 'Deferred', IsClosed: false });
    // Back to Deferred, the Task is open: the next pull reads it and changes nothing.
    expect(await syncTaskStatusFromSalesforce(h.deps)).toMatchObject({ completed: [], remirrored: [], skipped: [] });
    expect(await statusOf(task.taskId)).toBe('cancelled');
  });
});
