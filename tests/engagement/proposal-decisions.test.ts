import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEngagementEvents } from '../../service/src/engagement/engine.ts';
import { discoveryPlan, trackedEmail } from '../../testkit/engagement.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

const PRIYA = 'priya.patel@acmelogistics.example';
const ERIC = 'eric.estrada@acmelogistics.example';

/**
 * A proposal (an AI task an engagement rule proposed, awaiting the CSM's approval) can be approved, declined (cancelled,
 * its Salesforce Task Deferred) or snoozed: its execution status is NULL, which must not read as "running".
 */
describe('deciding a proposal', () => {
  let h: Harness;
  let plan: { id: string; executionId: string };

  /** A hard bounce of a tracked email, through the engagement rules: the proposal it makes. */
  async function proposal(key: string, sentTo: string): Promise<string> {
    await trackedEmail(h.deps, discoveryPlan(h, plan), { provider: 'sendgrid', emailId: key, subject: `About ${key}`, sentTo, key });
    const [tracking] = await h.sql<{ id: string }[]>`SELECT id FROM email_tracking WHERE email_id = ${key}`;
    await h.sql`UPDATE email_tracking SET bounces = 1, bounced_at = now(), bounce_reason = '550 5.1.1 unknown user' WHERE id = ${tracking!.id}`;
    await applyEngagementEvents(h.deps, [tracking!.id]);
    const [row] = await h.sql<{ id: string }[]>`
      SELECT id FROM workflow_tasks WHERE plan_task_key = ${`${key}-bounce`} AND awaiting_approval AND execution_status IS NULL`;
    return row!.id;
  }
  const sfStatus = async (taskId: string) =>
    (await h.deps.salesforce.conn.query<{ Status: string }>(`SELECT Status FROM Task WHERE Action_Plan_Task_Id__c = '${taskId}'`))
      .records[0]?.Status;

  beforeAll(async () => {
    h = await startHarness();
    plan = (await h.finalizedPlan()).plan;
  });
  afterAll(async () => h?.close());

  it('declines: cancelled, its Salesforce Task Deferred, and no longer approvable', async () => {
    const id = await proposal('decline-me', PRIYA);
    const res = await h.api('PATCH', `/api/workflows/tasks/${id}`, { status: 'cancelled' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.task.status).toBe('cancelled');
    expect(await sfStatus(id)).toBe('Deferred');
    expect((await h.api('POST', `/api/workflows/tasks/${id}/approve`)).status).toBe(409);
  });

  it('snoozes, then approves', async () => {
    const id = await proposal('snooze-me', ERIC);
    const res = await h.api('PATCH', `/api/workflows/tasks/${id}`, { snoozedUntil: '2026-12-01T09:00:00Z' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.task.status).toBe('snoozed');
    const approved = await h.api('POST', `/api/workflows/tasks/${id}/approve`);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.task).toMatchObject({ executionStatus: 'queued', awaitingApproval: false });
  });
});
