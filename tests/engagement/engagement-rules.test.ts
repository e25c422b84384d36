import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sql } from '../../service/src/db/sql.ts';
import { runEngagementRules } from '../../service/src/engagement/engine.ts';
import { Schedules, serviceSchedules } from '../../service/src/schedules/schedules.ts';
import { discoveryPlan, onDay, trackedEmail } from '../../testkit/engagement.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * The engagement rules with a pinned clock. The email is sent on Wednesday Nov 25, 2026; Thursday is Thanksgiving (a
 * holiday of the org's calendar) and the weekend follows, so the third business day after it is Tuesday Dec 1.
 */
describe('engagement rules: no open after N business days', () => {
  let h: Harness;
  let plan: { id: string; executionId: string };
  const pools: Sql[] = [];

  // Each test starts from its own service, database and org with the same tracked email (no test relies on another
  // having run first), so any one of them runs alone with `-t`.
  beforeEach(async () => {
    h = await startHarness({ today: '2026-11-25' });
    plan = (await h.finalizedPlan()).plan;
    await trackedEmail(h.deps, discoveryPlan(h, plan), {
      provider: 'sendgrid',
      emailId: 'msg-usage-report',
      subject: 'Usage report',
      sentTo: 'eric.estrada@acmelogistics.example',
      key: 'track-usage',
    });
  });
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.end({ timeout: 5 });
    await h?.close();
  });

  const followUps = () =>
    h.sql<{ id: string; action: string; dueDate: string; explanation: string; owner: string; status: string }[]>`
      SELECT id, action, to_char(due_date, 'YYYY-MM-DD') AS "dueDate", explanation, owner, status
        FROM workflow_tasks WHERE action_plan_id = ${plan.id} AND plan_task_key = 'track-usage-no-open'`;

  it('does not fire before the third business day: Thanksgiving and the weekend do not count', async () => {
    for (const day of ['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']) {
      const run = await runEngagementRules(onDay(h.deps, day));
      expect(run, day).toMatchObject({ fired: 0 });
    }
    expect(await followUps()).toEqual([]);
  });

  it('on the third business day, three instances running the schedule at once create exactly one follow-up', async () => {
    // Three service instances on one database: each its own connection pool, clock and schedules.
    const instances = [0, 1, 2].map(() => {
      const sql = postgres(h.db.url, { max: 3, onnotice: () => undefined, transform: { undefined: null } }) as Sql;
      pools.push(sql);
      return onDay({ ...h.deps, db: { ...h.deps.db, sql } }, '2026-12-01');
    });
    // The database's own key decides, not the slot guard: the rule engine run by all three at the same moment.
    const runs = await Promise.all(instances.map((deps) => runEngagementRules(deps)));
    expect(runs.map((r) => r.fired).sort()).toEqual([0, 0, 1]);
    // And the schedule as deployed: one instance takes the slot, the others skip it; still one follow-up.
    const definition = serviceSchedules(h.deps.env).find((d) => d.name === 'engagement-rules')!;
    const slot = new Date('2026-12-01T09:00:00Z');
    const fired = await Promise.all(
      instances.map((deps, i) => new Schedules(deps, [definition], { instanceId: `instance-${i}` }).fire(definition, slot)),
    );
    expect(fired.sort()).toEqual(['ran', 'skipped', 'skipped']);

    const tasks = await followUps();
    expect(tasks).toEqual([
      {
        id: expect.any(String),
        owner: 'CSM',
        status: 'pending',
        action: 'No reply from Eric Estrada to "Usage report": call Eric',
        // The next business day after the rule fired.
        dueDate: '2026-12-02',
        explanation: 'created because the email sent on Nov 25 had no open after 3 business days',
      },
    ]);
    const firings = await h.sql`SELECT rule, condition, email_key FROM engagement_rule_firings`;
    expect(firings).toEqual([{ rule: 'no-open', condition: 'after-3-business-days', email_key: 'sendgrid:msg-usage-report' }]);
    const notes = await h.sql`SELECT kind, title, body FROM notifications WHERE kind = 'engagement-follow-up'`;
    expect(notes).toEqual([
      {
        kind: 'engagement-follow-up',
        title: 'No reply from Eric Estrada to "Usage report": call Eric',
        body: 'created because the email sent on Nov 25 had no open after 3 business days',
      },
    ]);
  });

  it("mirrors the follow-up to Salesforce like the plan's other tasks and shows it, with why, in the plan view", async () => {
    expect(await runEngagementRules(onDay(h.deps, '2026-12-01'))).toMatchObject({ fired: 1 });
    const [task] = await followUps();
    const [mirrored] = h.org.records('Task').filter((t) => t.Action_Plan_Task_Id__c === task!.id);
    expect(mirrored).toMatchObject({ Subject: expect.stringContaining('No reply from Eric Estrada'), ActivityDate: '2026-12-02' });
    const view = await h.api('GET', `/api/workflows/executions/${plan.executionId}/action-plan`);
    expect(view.status).toBe(200);
    expect(view.body.plan.addedTasks).toContainEqual(
      expect.objectContaining({
        taskId: task!.id,
        owner: 'CSM',
        action: 'No reply from Eric Estrada to "Usage report": call Eric',
        explanation: 'created because the email sent on Nov 25 had no open after 3 business days',
        salesforceTaskId: mirrored!.Id,
      }),
    );
  });

  it('does not fire for an email that was opened', async () => {
    await trackedEmail(h.deps, discoveryPlan(h, plan), {
      provider: 'sendgrid',
      emailId: 'msg-opened',
      subject: 'QBR deck',
      sentTo: 'eric.estrada@acmelogistics.example',
      key: 'track-qbr',
    });
    await h.sql`UPDATE email_tracking SET opens = 1 WHERE email_id = 'msg-opened'`;
    await runEngagementRules(onDay(h.deps, '2026-12-03'));
    expect(await h.sql`SELECT 1 FROM workflow_tasks WHERE plan_task_key = 'track-qbr-no-open'`).toHaveLength(0);
  });
});
