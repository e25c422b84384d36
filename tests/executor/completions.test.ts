import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimQueuedTasks, completeTasks } from '../../service/src/db/queue.ts';
import { CompletionGroup } from '../../service/src/executor/completions.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { statusOf } from '../../testkit/executor/fixtures.ts';

/** Grouped completions: one statement for many successes, each still guarded by its own claim token. */
describe('grouped completion of AI tasks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.finalizedPlan();
  });
  afterAll(async () => h?.close());

  const claim = (n: number) => claimQueuedTasks(h.sql, n, { workerId: 'test', leaseMs: 60_000, maxAttempts: 3 });

  it('records only the tasks whose claim still holds, and notifies once per success', async () => {
    const tasks = await claim(3);
    expect(tasks.length).toBeGreaterThanOrEqual(2);
    const [kept, stolen] = tasks;
    // Another worker re-claimed the second task after this one's lease was lost.
    await h.sql`UPDATE task_queue SET claim_token = gen_random_uuid() WHERE task_id = ${stolen!.id}`;
    const done = await completeTasks(h.sql, [
      { task: kept!, result: { summary: 'first' } },
      { task: stolen!, result: { summary: 'late' } },
    ]);
    expect([...done]).toEqual([kept!.id]);
    const rows =
      await h.sql`SELECT id, execution_status, execution_result FROM workflow_tasks WHERE id IN ${h.sql([kept!.id, stolen!.id])}`;
    expect(rows.find((r) => r.id === kept!.id)).toMatchObject({ execution_status: 'success', execution_result: { summary: 'first' } });
    expect((await statusOf(h.sql, stolen!.id)).executionStatus).toBe('running');
    const notes = await h.sql`SELECT task_id, body FROM notifications WHERE kind = 'ai-task-succeeded'`;
    expect(notes).toEqual([{ task_id: kept!.id, body: 'first' }]);
    // Completing again (a retried write) changes nothing.
    expect((await completeTasks(h.sql, [{ task: kept!, result: { summary: 'again' } }])).size).toBe(0);
  });

  it('groups the successes that finish while a write is in flight, answering each caller', async () => {
    await h.sql`UPDATE task_queue SET claim_token = NULL`;
    const tasks = await claim(10);
    const group = new CompletionGroup(h.sql);
    const results = await Promise.all(tasks.map((t, i) => group.complete(t, { summary: `done ${i}` })));
    expect(results.every(Boolean)).toBe(true);
    const rows =
      await h.sql`SELECT count(*)::int AS n FROM workflow_tasks WHERE id IN ${h.sql(tasks.map((t) => t.id))} AND execution_status = 'success'`;
    expect(rows[0]!.n).toBe(tasks.length);
  });
});
