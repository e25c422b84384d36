import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTaskNow, completeTask, type ClaimOptions } from '../../service/src/db/queue.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { statusOf } from '../../testkit/executor/fixtures.ts';

/**
 * Cancelling an AI task (issue 9, item 11), as docs/runbook.md says: a queued task is cancelled and never runs; a task
 * an executor is running answers 409 and its run's result stands, where a cancel used to be accepted and then undone.
 * Against real claims in PostgreSQL, made by the executor's own claim statement.
 */
describe('cancelling an AI task', () => {
  let h: Harness;
  let aiTasks: { taskId: string }[];
  const worker: ClaimOptions = { workerId: 'test-worker', leaseMs: 60_000, maxAttempts: 3 };
  beforeAll(async () => {
    h = await startHarness();
    aiTasks = (await h.finalizedPlan()).plan.aiTasks;
    expect(aiTasks.length).toBeGreaterThanOrEqual(3);
  });
  afterAll(async () => h?.close());

  const row = async (id: string) => {
    const { status, executionStatus } = await statusOf(h.sql, id);
    return { status, executionStatus };
  };

  it('answers 409 while the task runs, changes nothing, and the run completes it', async () => {
    const id = aiTasks[0]!.taskId;
    const claimed = (await claimTaskNow(h.sql, id, worker))!;
    expect(claimed).toBeDefined();
    const res = await h.api('PATCH', `/api/workflows/tasks/${id}`, { status: 'cancelled' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/is running in an executor/) });
    expect(await row(id)).toEqual({ status: 'pending', executionStatus: 'running' });
    expect(await completeTask(h.sql, claimed, { summary: 'done' })).toBe(true);
    expect(await row(id)).toEqual({ status: 'completed', executionStatus: 'success' });
  });

  it('cancels a queued task, which then is never claimed', async () => {
    const id = aiTasks[1]!.taskId;
    const res = await h.api('PATCH', `/api/workflows/tasks/${id}`, { status: 'cancelled' });
    expect(res.status).toBe(200);
    expect(res.body.task.status).toBe('cancelled');
    expect(await claimTaskNow(h.sql, id, worker)).toBeUndefined();
    expect((await h.api('POST', `/api/workflows/tasks/${id}/execute`)).status).toBe(409);
  });

  it('a cancel racing a claim: one of them wins, never both', async () => {
    const ids = aiTasks.slice(2).map((t) => t.taskId);
    await h.sql`UPDATE workflow_tasks SET execution_status = 'queued', status = 'pending' WHERE id IN ${h.sql(ids)}`;
    for (let round = 0; round < 10; round++) {
      for (const id of ids) {
        const [claim, cancel] = await Promise.all([
          claimTaskNow(h.sql, id, worker),
          h.api('PATCH', `/api/workflows/tasks/${id}`, { status: 'cancelled' }),
        ]);
        const after = await row(id);
        if (claim) {
          // The claim came first: the cancel was refused and the run's completion stands.
          expect(cancel.status).toBe(409);
          expect(await completeTask(h.sql, claim, { summary: 'done' })).toBe(true);
          expect(await row(id)).toEqual({ status: 'completed', executionStatus: 'success' });
        } else {
          expect(cancel.status).toBe(200);
          expect(after.status).toBe('cancelled');
        }
        await h.sql`UPDATE workflow_tasks SET execution_status = 'queued', status = 'pending' WHERE id = ${id}`;
      }
    }
  });
});
