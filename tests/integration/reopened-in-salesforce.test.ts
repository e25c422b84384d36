import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { mirrorPendingTasks } from '../../service/src/sync/mirror.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * A finished plan task whose Salesforce Task is re-opened there: the service's state is the truth (what waited for the
 * task may already have run), so the completion pull marks it and the mirror writes its status back. Without it the
 * Task stays open in Salesforce for good (issue 22's interleavings test found it).
 */
describe('a finished task re-opened in Salesforce', () => {
  let h: Harness;
  let taskId: string;
  const sfTask = async () =>
    (
      await h.deps.salesforce.conn.query<{ Id: string; Status: string }>(
        `SELECT Id, Status FROM Task WHERE Action_Plan_Task_Id__c = '${taskId}'`,
      )
    ).records[0]!;

  beforeAll(async () => {
    h = await startHarness();
    const { plan } = await h.finalizedPlan();
    taskId = plan.csmTasks.find((t: any) => t.blockedBy.length === 0).taskId;
    expect((await h.api('PATCH', `/api/workflows/tasks/${taskId}`, { status: 'completed' })).status).toBe(200);
    expect((await sfTask()).Status).toBe('Completed');
  });
  afterAll(async () => h?.close());

  it('is written back as completed by the next sync and mirror run', async () => {
    await h.deps.salesforce.conn.sobject('Task').update({ Id: (await sfTask()).Id, Status: 'Not Started' });
    const report = await syncTaskStatusFromSalesforce(h.deps);
    expect(report.reasserted).toEqual([taskId]);
    await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect((await sfTask()).Status).toBe('Completed');
    const [row] = await h.sql`SELECT status, mirror_status FROM workflow_tasks WHERE id = ${taskId}`;
    expect(row).toEqual({ status: 'completed', mirror_status: 'synced' });
    // The mirror's own write is read by the next pull and changes nothing.
    expect((await syncTaskStatusFromSalesforce(h.deps)).reasserted).toEqual([]);
  });
});
