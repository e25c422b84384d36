import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { mirrorPendingTasks } from '../../service/src/sync/mirror/mirror.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * Salesforce Tasks set to a Status the plan does not hold: a finished task re-opened there, a blocked one started
 * there. The service's state is the truth (what waited for the finished task may already have run; a blocked task
 * cannot start before its prerequisites), so the completion pull marks them and the mirror writes their status back.
 * Without it the Tasks stay diverged for good (issue 22's interleavings test found it).
 */
describe('Tasks re-opened or started in Salesforce against the plan', () => {
  let h: Harness;
  let finishedId: string;
  let blockedId: string;
  const sfTask = async (id: string) =>
    (
      await h.deps.salesforce.conn.query<{ Id: string; Status: string }>(
        `SELECT Id, Status FROM Task WHERE Action_Plan_Task_Id__c = '${id}'`,
      )
    ).records[0]!;

  beforeAll(async () => {
    h = await startHarness();
    const { plan } = await h.finalizedPlan();
    const blocked = plan.aiTasks.find((t: any) => t.blockedBy.length > 0);
    blockedId = blocked.taskId;
    finishedId = plan.csmTasks.find((t: any) => t.blockedBy.length === 0 && !blocked.dependsOn.includes(t.key)).taskId;
    expect((await h.api('PATCH', `/api/workflows/tasks/${finishedId}`, { status: 'completed' })).status).toBe(200);
    expect((await sfTask(finishedId)).Status).toBe('Completed');
    expect((await sfTask(blockedId)).Status).toBe('Waiting on someone else');
  });
  afterAll(async () => h?.close());

  it('are written back by the next completion pull and mirror run', async () => {
    const conn = h.deps.salesforce.conn;
    await conn.sobject('Task').update({ Id: (await sfTask(finishedId)).Id, Status: 'Not Started' });
    await conn.sobject('Task').update({ Id: (await sfTask(blockedId)).Id, Status: 'In Progress' });
    const report = await syncTaskStatusFromSalesforce(h.deps);
    expect(report.reasserted.sort()).toEqual([finishedId, blockedId].sort());
    expect(report.completed).toEqual([]);
    await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect((await sfTask(finishedId)).Status).toBe('Completed');
    expect((await sfTask(blockedId)).Status).toBe('Waiting on someone else');
    const rows =
      await h.sql`SELECT status, mirror_status FROM workflow_tasks WHERE id IN ${h.sql([finishedId, blockedId])} ORDER BY status`;
    expect(rows).toEqual([
      { status: 'completed', mirror_status: 'synced' },
      { status: 'pending', mirror_status: 'synced' },
    ]);
  });

  it('pulls a completion whose SystemModstamp is earlier than a Task already read (the lookback)', async () => {
    const conn = h.deps.salesforce.conn;
    const { plan } = await h.finalizedPlan(h.opportunities['Northwind Health — FY27 Renewal']);
    const [ahead, behind] = plan.csmTasks.filter((t: any) => t.blockedBy.length === 0).map((t: any) => t.taskId as string);
    // Quick edits move one Task's stamp past the clock (the emulator keeps each edit visible), as a long transaction's
    // stamp can lie behind others already read in Salesforce; the pull's cursor goes past it.
    for (let i = 0; i < 5; i++) await conn.sobject('Task').update({ Id: (await sfTask(ahead!)).Id, Subject: `edit ${i}` });
    await syncTaskStatusFromSalesforce(h.deps);
    await conn.sobject('Task').update({ Id: (await sfTask(behind!)).Id, Status: 'Completed' });
    expect((await syncTaskStatusFromSalesforce(h.deps)).completed).toEqual([behind]);
  });
});
