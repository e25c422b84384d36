import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * A finished task is final: what waited for it may already have run (issue 22's interleavings test: a prerequisite
 * snoozed after its dependent AI task ran left that task "completed while a prerequisite is unfinished").
 */
describe('a finished task', () => {
  let h: Harness;
  let plan: any;

  beforeAll(async () => {
    h = await startHarness();
    plan = (await h.finalizedPlan()).plan;
  });
  afterAll(async () => h?.close());

  it.each([
    ['completed', { snoozedUntil: '2026-12-01T09:00:00Z' }],
    ['completed', { status: 'pending' }],
    ['cancelled', { status: 'in_progress' }],
  ] as const)('once %s cannot be re-opened or snoozed (409): %j', async (finished, patch) => {
    const task = plan.csmTasks.find((t: any) => t.blockedBy.length === 0 && !t.done);
    task.done = true; // each case takes a fresh task of the plan
    expect((await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { status: finished })).status).toBe(200);
    const res = await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, patch);
    expect(res.status, res.text).toBe(409);
    expect(res.body.error.message).toContain(`is ${finished}: a finished task cannot be re-opened or snoozed`);
    const [row] = await h.sql`SELECT status FROM workflow_tasks WHERE id = ${task.taskId}`;
    expect(row!.status).toBe(finished);
  });
});
