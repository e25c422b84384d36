import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEngagementEvents, runEngagementRules } from '../../service/src/engagement/engine.ts';
import { discoveryPlan, trackedEmail } from '../../testkit/engagement.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * One email whose rule cannot be applied (its tracking task waits for an unfinished prerequisite, so completing it is a
 * 409) does not stop the rules for the other emails, on the schedule and on webhooks alike; it is retried next run.
 */
describe('a rule run handles each email on its own', () => {
  let h: Harness;
  let plan: { id: string; executionId: string; csmTasks: { taskId: string }[] };

  /** A tracked email; `event` recorded as the provider's webhook records it. */
  async function email(key: string, sentTo: string, event: 'reply' | 'bounce') {
    const { monitorTaskId } = await trackedEmail(h.deps, discoveryPlan(h, plan), {
      provider: 'sendgrid',
      emailId: key,
      subject: `About ${key}`,
      sentTo,
      key,
    });
    const [tracking] = await h.sql<{ id: string }[]>`SELECT id FROM email_tracking WHERE email_id = ${key}`;
    if (event === 'reply') await h.sql`UPDATE email_tracking SET replies = 1 WHERE id = ${tracking!.id}`;
    else
      await h.sql`UPDATE email_tracking SET bounces = 1, bounced_at = now(), bounce_reason = '550 unknown user' WHERE id = ${tracking!.id}`;
    return { trackingId: tracking!.id, monitorTaskId, key: `sendgrid:${key}` };
  }
  const firings = async (emailKey: string) =>
    (await h.sql<{ condition: string }[]>`SELECT condition FROM engagement_rule_firings WHERE email_key = ${emailKey}`).map(
      (r) => r.condition,
    );

  beforeAll(async () => {
    h = await startHarness();
    plan = (await h.finalizedPlan()).plan;
  });
  afterAll(async () => h?.close());

  it.each(['schedule', 'webhook'] as const)('on the %s: the blocked email is skipped and retried, the bounce proposes', async (via) => {
    const blocker = plan.csmTasks[via === 'schedule' ? 0 : 1]!.taskId;
    const replied = await email(`reply-${via}`, 'eric.estrada@acmelogistics.example', 'reply');
    await h.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${replied.monitorTaskId}, ${blocker})`;
    const bounced = await email(`bounce-${via}`, 'priya.patel@acmelogistics.example', 'bounce');
    const run = () =>
      via === 'schedule' ? runEngagementRules(h.deps) : applyEngagementEvents(h.deps, [replied.trackingId, bounced.trackingId]);

    const first = await run();
    expect(first.failed).toBe(1);
    expect(await firings(bounced.key)).toEqual(['hard']);
    expect(await h.sql`SELECT 1 FROM workflow_tasks WHERE plan_task_key = ${`bounce-${via}-bounce`} AND awaiting_approval`).toHaveLength(1);
    // The blocked email is not recorded as handled: its tracking task is still open.
    expect(await firings(replied.key)).toEqual([]);
    expect(h.logLines.some((l) => l.includes('retried at the next run') && l.includes(replied.key))).toBe(true);

    expect((await h.api('PATCH', `/api/workflows/tasks/${blocker}`, { status: 'completed' })).status).toBe(200);
    const second = await run();
    expect(second.failed).toBe(0);
    expect(await firings(replied.key)).toEqual(['reply']);
    const [monitor] = await h.sql`SELECT status FROM workflow_tasks WHERE id = ${replied.monitorTaskId}`;
    expect(monitor!.status).toBe('completed');
  });
});
