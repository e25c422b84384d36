// The plan view's cache miss reads only what changed (issue 25): an instance keeps the task states of its last
// rendering by version (id, row version, live status, stuck flag), and the live state's statement sends a held task as
// its version alone. Each change below (a column of a task, a claim that touches only the queue row, time making a
// mirror copy stuck, a task added) is read afresh, every other task is the held object itself, and the view rendered
// from held states is byte for byte the one a full read renders. Real PostgreSQL; the local Salesforce org emulator
// (not Salesforce) only for finalize.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionLiveState, planViewStamp, type HeldTasks, type LiveTaskState } from '../../service/src/db/plan-view-state.ts';
import { currentPlanViewJson } from '../../service/src/read-model/plan-view/plan-view.ts';
import { PlanCache } from '../../service/src/workflows/plan-cache.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

describe('the live state read against held task states', () => {
  let h: Harness;
  let executionId: string;
  let stuckAfterMs: number;
  const plans = new PlanCache();

  beforeAll(async () => {
    h = await startHarness();
    ({ executionId } = await h.finalizedPlan());
    stuckAfterMs = h.deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000;
  });
  afterAll(async () => h?.close());

  const byVersion = (tasks: LiveTaskState[]): HeldTasks => new Map(tasks.map((t) => [t.version, t]));

  /**
   * Reads the live state against `held`; expects every task but `changed` (by id) to be the held object itself, the
   * changed ones to be new objects, and the view rendered from it to equal a full read's. Returns the new held states.
   */
  async function readAgainst(held: HeldTasks, changed: string[]): Promise<HeldTasks> {
    const live = (await executionLiveState(h.sql, executionId, stuckAfterMs, held))!;
    const heldById = new Map([...held.values()].map((t) => [t.id, t]));
    for (const task of live.tasks) {
      if (changed.includes(task.id)) expect(task, task.key).not.toBe(heldById.get(task.id));
      else expect(task, task.key).toBe(heldById.get(task.id));
    }
    expect(live.tasks.filter((t) => changed.includes(t.id))).toHaveLength(changed.length);
    const fromHeld = (await currentPlanViewJson(h.deps, plans, executionId, undefined, held))!;
    const full = (await currentPlanViewJson(h.deps, plans, executionId))!;
    expect(fromHeld.json).toBe(full.json);
    expect([...fromHeld.tasks.keys()].sort()).toEqual([...full.tasks.keys()].sort());
    return byVersion(live.tasks);
  }

  it('sends only the changed tasks, and renders what a full read renders', async () => {
    const first = (await executionLiveState(h.sql, executionId, stuckAfterMs))!;
    expect(first.tasks.length).toBeGreaterThan(5);
    let held = await readAgainst(byVersion(first.tasks), []);

    // A column of one task.
    const csm = first.tasks.find((t) => t.owner === 'CSM' && t.status === 'pending')!;
    await h.sql`UPDATE workflow_tasks SET status = 'in_progress' WHERE id = ${csm.id}`;
    held = await readAgainst(held, [csm.id]);
    expect([...held.values()].find((t) => t.id === csm.id)!.status).toBe('in_progress');

    // A claim: only the queue row changes, and the task reads as running.
    const ai = first.tasks.find((t) => t.executionStatus === 'queued')!;
    await h.sql`UPDATE task_queue SET claim_token = gen_random_uuid(), claimed_by = 'test', locked_until = now() + interval '1 minute' WHERE task_id = ${ai.id}`;
    held = await readAgainst(held, [ai.id]);
    expect([...held.values()].find((t) => t.id === ai.id)!.executionStatus).toBe('running');

    // Time alone: a copy to Salesforce pending for 30 minutes, then the same row read when 30 minutes is past the stuck
    // threshold (the threshold lowered stands for the time passed: no row changes in between).
    // (Two statements: 0006's trigger sets mirror_pending_since to now() when the status becomes pending.)
    await h.sql`UPDATE workflow_tasks SET mirror_status = 'pending' WHERE id = ${csm.id}`;
    await h.sql`UPDATE workflow_tasks SET mirror_pending_since = now() - interval '30 minutes' WHERE id = ${csm.id}`;
    held = await readAgainst(held, [csm.id]);
    const minutes = h.deps.env.MIRROR_STUCK_AFTER_MINUTES;
    expect(minutes).toBeGreaterThan(30);
    stuckAfterMs = 10 * 60_000;
    h.deps.env.MIRROR_STUCK_AFTER_MINUTES = 10;
    try {
      held = await readAgainst(held, [csm.id]);
    } finally {
      h.deps.env.MIRROR_STUCK_AFTER_MINUTES = minutes;
      stuckAfterMs = minutes * 60_000;
    }
    held = await readAgainst(held, [csm.id]);

    // A task added after finalize, and two changed in one transaction (one row version for both).
    const [added] = await h.sql<{ id: string }[]>`
      INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, priority, explanation)
      SELECT action_plan_id, execution_id, opportunity_id, 'follow-up-1', 'CSM', 'Call about the proposal', 2, 'No reply'
        FROM workflow_tasks WHERE id = ${csm.id}
      RETURNING id`;
    held = await readAgainst(held, [added!.id]);
    const two = first.tasks.filter((t) => t.owner === 'CSM' && t.id !== csm.id).slice(0, 2);
    await h.sql.begin(async (tx) => {
      for (const t of two) await tx`UPDATE workflow_tasks SET snoozed_until = '2030-01-07T09:00:00Z' WHERE id = ${t.id}`;
    });
    held = await readAgainst(
      held,
      two.map((t) => t.id),
    );
  });

  it('the stamp read brings the same live state along, and nothing when the stamp is held', async () => {
    const full = (await executionLiveState(h.sql, executionId, stuckAfterMs))!;
    const held = byVersion(full.tasks);
    const head = (await planViewStamp(h.sql, executionId, stuckAfterMs, [], held))!;
    expect(head.live!.tasks.every((t) => held.get(t.version) === t)).toBe(true);
    expect((await planViewStamp(h.sql, executionId, stuckAfterMs, [head.stamp], held))!.live).toBeUndefined();
  });
});
