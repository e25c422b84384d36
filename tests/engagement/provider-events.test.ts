import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryPlan, trackedEmail, webhookSigners } from '../../testkit/engagement.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

const ERIC = { id: '0035e0000000002AAA', email: 'eric.estrada@acmelogistics.example' };
const PRIYA = { id: '0035e0000000003AAA', email: 'priya.patel@acmelogistics.example' };

/** Signed events from SendGrid and from Mailgun drive the same outcomes through the engagement rules. */
describe.each(['sendgrid', 'mailgun'] as const)('engagement rules on signed %s webhooks', (provider) => {
  let h: Harness;
  let plan: { id: string; executionId: string };
  const signers = webhookSigners();
  const seconds = () => Math.floor(Date.now() / 1000);

  /** One event, signed and posted as the provider sends it. */
  async function post(event: 'replied' | 'bounced', emailId: string, id: string) {
    const init =
      provider === 'sendgrid'
        ? signers.sendgrid([
            event === 'replied'
              ? { event: 'reply', sg_event_id: id, email_id: emailId, timestamp: seconds() }
              : {
                  event: 'bounce',
                  type: 'bounce',
                  reason: '550 5.1.1 The email account does not exist',
                  sg_event_id: id,
                  email_id: emailId,
                  timestamp: seconds(),
                },
          ])
        : signers.mailgun(
            event === 'replied'
              ? { event: 'replied', id, timestamp: seconds(), 'user-variables': { email_id: emailId } }
              : {
                  event: 'failed',
                  severity: 'permanent',
                  id,
                  timestamp: seconds(),
                  'delivery-status': { description: '550 5.1.1 The email account does not exist' },
                  'user-variables': { email_id: emailId },
                },
          );
    const res = await h.app.request(`/api/webhooks/${provider}`, init);
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    h = await startHarness({ today: '2026-11-25', env: signers.env });
    plan = (await h.finalizedPlan()).plan;
  });
  afterAll(async () => h?.close());

  it('a reply completes the tracking task, through the task-change path, with why, and the task waiting for it unblocks', async () => {
    const { monitorTaskId } = await trackedEmail(h.deps, discoveryPlan(h, plan), {
      provider,
      emailId: `${provider}-reply`,
      subject: 'Usage report',
      sentTo: ERIC.email,
      key: 'track-reply',
    });
    // The plan's next step waits for the customer's answer (issue 15's task dependencies).
    const [next] = await h.sql<{ id: string }[]>`
      INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, assignee_user_id)
      VALUES (${plan.id}, ${plan.executionId}, ${h.discoveryId}, 'next-step', 'CSM', 'Book the renewal call', ${h.users['Jordan Lee']!})
      RETURNING id`;
    await h.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${next!.id}, ${monitorTaskId})`;
    const blocked = await h.api('PATCH', `/api/workflows/tasks/${next!.id}`, { status: 'completed' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toContain('Monitor engagement: Usage report');

    await post('replied', `${provider}-reply`, `${provider}-ev-reply`);
    const [monitor] = await h.sql`SELECT status, explanation, completed_at FROM workflow_tasks WHERE id = ${monitorTaskId}`;
    expect(monitor).toMatchObject({
      status: 'completed',
      explanation: 'completed because Eric Estrada replied to the email sent on Nov 25',
    });
    expect(monitor!.completed_at).not.toBeNull();
    expect(await h.sql`SELECT kind FROM notifications WHERE task_id = ${monitorTaskId} AND kind = 'engagement-completed'`).toHaveLength(1);
    // The reply's completion went through the one completion path, which unblocked the task that waited for it.
    const unblocked = await h.api('PATCH', `/api/workflows/tasks/${next!.id}`, { status: 'completed' });
    expect(unblocked.status).toBe(200);
    expect(unblocked.body.task.status).toBe('completed');
  });

  it('a hard bounce proposes a contact update that waits for approval, then runs once approved', async () => {
    await trackedEmail(h.deps, discoveryPlan(h, plan), {
      provider,
      emailId: `${provider}-bounce`,
      subject: 'Renewal proposal',
      sentTo: PRIYA.email,
      key: 'track-bounce',
    });
    await post('bounced', `${provider}-bounce`, `${provider}-ev-bounce`);
    const [proposal] = await h.sql`
      SELECT id, owner, processor, auto_execute, execution_status, awaiting_approval, explanation, metadata
        FROM workflow_tasks WHERE plan_task_key = 'track-bounce-bounce'`;
    expect(proposal).toMatchObject({
      owner: 'AI',
      processor: 'contact-bounce-recorder',
      auto_execute: true,
      execution_status: null,
      awaiting_approval: true,
      explanation: `flagged because the email sent on Nov 25 to ${PRIYA.email} bounced (550 5.1.1 The email account does not exist)`,
      metadata: {
        contactId: PRIYA.id,
        contactName: 'Priya Patel',
        email: PRIYA.email,
        reason: '550 5.1.1 The email account does not exist',
      },
    });
    expect(await h.sql`SELECT 1 FROM notifications WHERE task_id = ${proposal!.id} AND kind = 'email-bounced'`).toHaveLength(1);
    // Nothing is written to Salesforce before the CSM approves.
    expect(h.org.records('Contact').find((c) => c.Id === PRIYA.id)).toMatchObject({ EmailBouncedReason: null });
    const view = await h.api('GET', `/api/workflows/executions/${plan.executionId}/action-plan`);
    expect(view.body.plan.addedTasks).toContainEqual(
      expect.objectContaining({ taskId: proposal!.id, awaitingApproval: true, processor: 'contact-bounce-recorder' }),
    );

    const approved = await h.api('POST', `/api/workflows/tasks/${proposal!.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.task).toMatchObject({ executionStatus: 'queued', awaitingApproval: false });
    expect((await h.api('POST', `/api/workflows/tasks/${proposal!.id}/approve`)).status).toBe(409);
    const run = await h.api('POST', `/api/workflows/tasks/${proposal!.id}/execute`);
    expect(run.body.outcome).toEqual({ status: 'success', error: null });
    expect(h.org.records('Contact').find((c) => c.Id === PRIYA.id)).toMatchObject({
      EmailBouncedReason: '550 5.1.1 The email account does not exist',
      IsEmailBounced: true,
    });
  });

  it('a replayed bounce proposes nothing twice', async () => {
    await post('bounced', `${provider}-bounce`, `${provider}-ev-bounce-2`);
    expect(await h.sql`SELECT 1 FROM workflow_tasks WHERE plan_task_key LIKE 'track-bounce-bounce%'`).toHaveLength(1);
  });

  it('approving is for users who can edit the opportunity only', async () => {
    const [proposal] = await h.sql`SELECT id FROM workflow_tasks WHERE plan_task_key = 'track-bounce-bounce'`;
    const res = await h.api('POST', `/api/workflows/tasks/${proposal!.id}/approve`, undefined, { user: h.users['Morgan Diaz'] });
    expect(res.status).toBe(403);
  });
});
