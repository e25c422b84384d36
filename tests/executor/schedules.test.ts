import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../service/src/db/sql.ts';
import type { Deps } from '../../service/src/deps.ts';
import { Schedules, serviceSchedules, type ScheduleDefinition } from '../../service/src/schedules/schedules.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { eventually, seedPlan } from '../../testkit/executor/fixtures.ts';

/** Three service instances, each with its own connection pool to the one database: each schedule slot runs once. */
describe('schedules across three instances', () => {
  let h: Harness;
  let instances: Deps[];
  const pools: Sql[] = [];

  beforeAll(async () => {
    h = await startHarness();
    instances = [1, 2, 3].map(() => {
      const sql = postgres(h.db.url, { max: 3, onnotice: () => undefined, transform: { undefined: null } }) as Sql;
      pools.push(sql);
      return { ...h.deps, db: { ...h.db, sql } };
    });
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end({ timeout: 5 })));
    await h?.close();
  });

  it('runs each slot of a every-second cron in exactly one instance', { timeout: 60_000 }, async () => {
    const calls: string[] = [];
    const counting = (i: number): ScheduleDefinition[] => [
      { name: 'counting', cron: '* * * * * *', run: async () => void calls.push(`instance-${i}`) },
    ];
    const running = instances.map((d, i) => new Schedules(d, counting(i), { instanceId: `instance-${i}` }));
    running.forEach((s) => s.start());
    try {
      await eventually(
        async () =>
          (await h.sql`SELECT count(*)::int AS n FROM schedule_runs WHERE name = 'counting' AND finished_at IS NOT NULL`)[0]!.n >= 3,
        'three slots',
      );
    } finally {
      await Promise.all(running.map((s) => s.stop()));
    }
    const slots = (await h.sql`SELECT count(*)::int AS n FROM schedule_runs WHERE name = 'counting'`)[0]!.n;
    // Every instance fired every slot; the job ran once per slot.
    expect(calls).toHaveLength(slots);
  });

  it('resurfaces a snoozed task once, with one notification, when the three instances fire the same slot', async () => {
    const plan = await seedPlan(h.sql);
    // Snoozes are business time: relative to the service's (pinned) clock, not the database's.
    const now = h.deps.now();
    const [task] = await h.sql<{ id: string }[]>`
      INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, status, snoozed_until, assignee_user_id)
      VALUES (${plan.planId}, ${plan.executionId}, '0065e0000000001AAA', 'csm-snoozed', 'CSM', 'Call back', 'snoozed', ${new Date(now.getTime() - 60_000)}, '0055e0000000001AAA'),
             (${plan.planId}, ${plan.executionId}, '0065e0000000001AAA', 'csm-later', 'CSM', 'Later', 'snoozed', ${new Date(now.getTime() + 2 * 86_400_000)}, '0055e0000000001AAA')
      RETURNING id`;
    const slot = new Date('2026-11-25T08:00:00Z');
    const resurfacing = serviceSchedules(h.deps.env).find((d) => d.name === 'task-resurfacing')!;
    const outcomes = await Promise.all(
      instances.map((d, i) => new Schedules(d, [resurfacing], { instanceId: `i${i}` }).fire(resurfacing, slot)),
    );
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'skipped')).toHaveLength(2);
    const rows =
      await h.sql`SELECT plan_task_key, status, snoozed_until FROM workflow_tasks WHERE plan_task_key IN ('csm-snoozed', 'csm-later') ORDER BY plan_task_key`;
    expect(rows.map((r) => [r.plan_task_key, r.status])).toEqual([
      ['csm-later', 'snoozed'],
      ['csm-snoozed', 'pending'],
    ]);
    expect(await h.sql`SELECT 1 FROM notifications WHERE task_id = ${task!.id} AND kind = 'task-resurfaced'`).toHaveLength(1);
    const [run] = await h.sql`SELECT result FROM schedule_runs WHERE name = 'task-resurfacing' AND slot = ${slot}`;
    expect(run!.result).toEqual({ resurfaced: 1 });
  });

  it('starts a scheduled next-stage workflow once when its trigger date comes, recording the execution', async () => {
    const plan = await seedPlan(h.sql);
    const [due] = await h.sql<{ id: string }[]>`
      INSERT INTO scheduled_workflows (source_execution_id, source_plan_id, opportunity_id, stage, name, trigger_date)
      VALUES (${plan.executionId}, ${plan.planId}, '0065e0000000001AAA', 'Prepare', 'Prepare workflow', '2026-11-25') RETURNING id`;
    const other = await seedPlan(h.sql);
    const [later] = await h.sql<
      { id: string }[]
    >`INSERT INTO scheduled_workflows (source_execution_id, source_plan_id, opportunity_id, stage, name, trigger_date)
                VALUES (${other.executionId}, ${other.planId}, '0065e0000000001AAA', 'Engage', 'Engage workflow', '2027-01-15') RETURNING id`;
    const slot = new Date('2026-11-25T08:00:00Z');
    const scheduler = serviceSchedules(h.deps.env).find((d) => d.name === 'workflow-scheduler')!;
    const outcomes = await Promise.all(
      instances.map((d, i) => new Schedules(d, [scheduler], { instanceId: `i${i}` }).fire(scheduler, slot)),
    );
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
    const [row] = await h.sql`SELECT status, started_execution_id FROM scheduled_workflows WHERE id = ${due!.id}`;
    expect(row!.status).toBe('started');
    const [execution] = await h.sql`SELECT opportunity_id FROM workflow_executions WHERE id = ${row!.started_execution_id}`;
    expect(execution!.opportunity_id).toBe('0065e0000000001AAA');
    // Not due yet: still waiting (starting a workflow may move its date to follow the renewal date; that is issue 6's rule).
    expect(await h.sql`SELECT status FROM scheduled_workflows WHERE id = ${later!.id}`).toEqual([{ status: 'scheduled' }]);
    const [run] = await h.sql`SELECT result FROM schedule_runs WHERE name = 'workflow-scheduler' AND slot = ${slot}`;
    expect(run!.result).toEqual({ started: 1, failed: 0 });
  });
});
