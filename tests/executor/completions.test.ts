import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimQueuedTasks, completeTasks } from '../../service/src/db/queue.ts';
import { CompletionGroup } from '../../service/src/executor/completions.ts';
import { statusOf } from '../../testkit/executor/fixtures.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/** Grouped completions: one statement for many successes, each still guarded by its own claim token. */
describe('grouped completion of AI tasks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // Every demo opportunity's plan: enough AI tasks to see how their completions are grouped.
    for (const opportunityId of Object.values(h.opportunities)) await h.finalizedPlan(opportunityId);
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

  /**
   * The database as CompletionGroup sees it, counting its completion writes: a batch whose tasks nothing waits for is one
   * statement (the claimed queue rows deleted under their tokens), a batch with dependents one transaction.
   */
  const countingWrites = () => {
    const counted = { writes: 0 };
    const sql = new Proxy(h.sql, {
      apply(target, thisArg, args: unknown[]) {
        const strings = args[0] as readonly string[] | undefined;
        if (Array.isArray(strings) && strings.join('').includes('DELETE FROM task_queue')) counted.writes += 1;
        return Reflect.apply(target, thisArg, args);
      },
      get(target, prop, receiver) {
        if (prop !== 'begin') return Reflect.get(target, prop, receiver);
        return (...args: unknown[]) => {
          counted.writes += 1;
          return (target.begin as (...a: unknown[]) => unknown)(...args);
        };
      },
    });
    return { sql, counted };
  };
  /** Every AI task queued again, unclaimed (the queue rows follow workflow_tasks through its trigger). */
  const requeueAll = async () => {
    await h.sql`UPDATE task_queue SET claim_token = NULL, claimed_by = NULL, locked_until = NULL`;
    await h.sql`UPDATE workflow_tasks SET execution_status = 'queued' WHERE auto_execute AND execution_status = 'success'`;
  };
  const succeeded = async (ids: string[]) =>
    (await h.sql`SELECT count(*)::int AS n FROM workflow_tasks WHERE id IN ${h.sql(ids)} AND execution_status = 'success'`)[0]!.n;

  it('writes the successes of tasks that finish together in one write, answering each caller', async () => {
    await requeueAll();
    const tasks = await claim(10);
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    const { sql, counted } = countingWrites();
    const group = new CompletionGroup(sql);
    const results = await Promise.all(tasks.map((t, i) => group.complete(t, { summary: `done ${i}` })));
    expect(results).toEqual(tasks.map(() => true));
    expect(await succeeded(tasks.map((t) => t.id))).toBe(tasks.length);
    // Without grouping, each task would be its own write.
    expect(counted.writes).toBe(1);
  });

  it('groups the successes that finish while a write is in flight into the next write', async () => {
    await requeueAll();
    const [first, ...rest] = await claim(10);
    expect(rest.length).toBeGreaterThanOrEqual(2);
    const { sql, counted } = countingWrites();
    const group = new CompletionGroup(sql);
    const firstDone = group.complete(first!, { summary: 'first' });
    // One turn of the event loop: the group's write of `first` has started and waits on the database, which cannot
    // answer before this continuation runs (its reply needs an I/O poll, after this check phase).
    await new Promise((resolve) => setImmediate(resolve));
    expect(counted.writes).toBe(1);
    const restDone = Promise.all(rest.map((t, i) => group.complete(t, { summary: `later ${i}` })));
    expect(await firstDone).toBe(true);
    expect(await restDone).toEqual(rest.map(() => true));
    expect(await succeeded([first!.id, ...rest.map((t) => t.id)])).toBe(rest.length + 1);
    // The tasks that finished during the first write share the second: two writes, not 1 + rest.length.
    expect(counted.writes).toBe(2);
  });

  it('waits for the tasks still running in the worker (at most maxWaitMs), then writes them all at once', async () => {
    await requeueAll();
    const [first, ...rest] = await claim(10);
    expect(rest.length).toBeGreaterThanOrEqual(2);
    const { sql, counted } = countingWrites();
    // The worker runs first and rest; a success waits for the others unless they are all in.
    const running = 1 + rest.length;
    const group: CompletionGroup = new CompletionGroup(sql, { stillRunning: () => running - group.inProgress, maxWaitMs: 60_000 });
    const firstDone = group.complete(first!, { summary: 'first' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counted.writes).toBe(0);
    // The last one in writes them all, without waiting out maxWaitMs.
    const restDone = Promise.all(rest.map((t, i) => group.complete(t, { summary: `later ${i}` })));
    expect(await firstDone).toBe(true);
    expect(await restDone).toEqual(rest.map(() => true));
    expect(counted.writes).toBe(1);
    expect(await succeeded([first!.id, ...rest.map((t) => t.id)])).toBe(rest.length + 1);
  });

  it('writes a success after maxWaitMs when the other running tasks do not finish', async () => {
    await requeueAll();
    const [only] = await claim(1);
    const { sql, counted } = countingWrites();
    // Nine other tasks run and never finish in time.
    const group: CompletionGroup = new CompletionGroup(sql, { stillRunning: () => 10 - group.inProgress, maxWaitMs: 20 });
    expect(await group.complete(only!, { summary: 'alone' })).toBe(true);
    expect(counted.writes).toBe(1);
    expect(await succeeded([only!.id])).toBe(1);
  });
});
