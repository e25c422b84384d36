import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimQueuedTasks, completeAndClaim, type ClaimedTask } from '../../service/src/db/queue.ts';
import { CompletionGroup } from '../../service/src/executor/completions.ts';
import { Executor } from '../../service/src/executor/executor.ts';
import { defineProcessor } from '../../processors/port.ts';
import { registryOf } from '../../processors/registry.ts';
import { freshDatabase } from '../../testkit/database.ts';
import { eventually, insertAiTasks, insertCsmTask, seedPlan, statusOf, testExecutorOptions } from '../../testkit/executor/fixtures.ts';
import { testServices } from '../../testkit/executor/test-registry.ts';
import { z } from 'zod';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

/** A processor for these tests (no metadata, writes nothing in Salesforce) that runs `run` with its task. */
const testProcessor = (name: string, run: (task: { id: string }) => Promise<{ summary: string }>) =>
  defineProcessor({
    name,
    summary: `${name} (executor test)`,
    metadata: z.object({}),
    writesFields: false,
    changePreview: () => ({ description: 'none', fields: [] }),
    run: (_input, { task }) => run(task),
  });
const o = { workerId: 'w1', leaseMs: 60_000, maxAttempts: 3 };

/**
 * A batch's completion may carry the worker's next claim (issue 25): one statement records the successes under their
 * tokens and claims the next due tasks, as `claimQueuedTasks` would, so a worker whose tasks end takes the next ones
 * without a round trip of its own.
 */
describe('completing a batch and claiming the next in one statement', () => {
  let db: Db;
  let plan: { executionId: string; planId: string };
  const statements: string[] = [];
  beforeAll(async () => {
    db = await freshDatabase({ onQuery: (q) => void statements.push(q) });
    plan = await seedPlan(db.sql);
  });
  afterAll(async () => db?.drop());
  beforeEach(async () => {
    await db.sql`DELETE FROM task_dependencies`;
    await db.sql`DELETE FROM workflow_tasks`;
    await db.sql`DELETE FROM notifications`;
  });

  const queueRow = async (id: string) =>
    (
      await db.sql<{ token: string | null; by: string | null; attempts: number }[]>`
      SELECT claim_token AS token, claimed_by AS by, attempts FROM task_queue WHERE task_id = ${id}`
    )[0];

  it('records the successes and claims the next due tasks, priority first, as a claim would, in one statement', async () => {
    const first = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }, { processor: 'test-recorder' }]);
    const batch = await claimQueuedTasks(db.sql, 2, o);
    expect(batch.map((t) => t.id).sort()).toEqual([...first].sort());
    const [low] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', priority: 4 }]);
    const [urgent] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', priority: 1 }]);
    const [notDue] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', priority: 1 }]);
    await db.sql`UPDATE workflow_tasks SET run_after = now() + interval '1 hour' WHERE id = ${notDue!}`;

    statements.length = 0;
    const { done, claimed } = await completeAndClaim(
      db.sql,
      batch.map((task) => ({ task, result: { summary: 'ok' } })),
      { ...o, workerId: 'w2', limit: 5 },
    );
    expect(statements).toHaveLength(1);
    expect([...done].sort()).toEqual([...first].sort());
    for (const id of first) expect((await statusOf(db.sql, id)).executionStatus).toBe('success');
    // The claimed tasks are what claimQueuedTasks hands out: running, a fresh token each, a lease, in claim order.
    expect(claimed.map((t) => t.id)).toEqual([urgent, low]);
    for (const task of claimed) {
      expect(task).toMatchObject({
        executionStatus: 'running',
        attempts: 1,
        maxAttempts: 3,
        processor: 'test-recorder',
        hasDependents: false,
      });
      expect(await queueRow(task.id)).toEqual({ token: task.claimToken, by: 'w2', attempts: 1 });
    }
    expect(new Set(claimed.map((t) => t.claimToken)).size).toBe(2);
    // The completed rows are gone from the queue, never candidates of the claim that rides with them.
    for (const id of first) expect(await queueRow(id)).toBeUndefined();
  });

  it('claims no more than its limit, and fewer completions than claims come back side by side', async () => {
    await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    const [task] = await claimQueuedTasks(db.sql, 1, o);
    await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 6 }, () => ({ processor: 'test-recorder' })),
    );
    const { done, claimed } = await completeAndClaim(db.sql, [{ task: task!, result: null }], { ...o, limit: 4 });
    expect([...done]).toEqual([task!.id]);
    expect(claimed).toHaveLength(4);
    const left = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM task_queue WHERE claim_token IS NULL`;
    expect(left[0]!.n).toBe(2);
    // A task claimed this way is the same object a claim alone returns: no column of the completion's side rides along.
    const [alone] = await claimQueuedTasks(db.sql, 1, o);
    for (const task of claimed) expect(Object.keys(task).sort()).toEqual(Object.keys(alone!).sort());
  });

  it('claims nothing and records nothing when the statement fails (one statement, one transaction)', async () => {
    await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    const [task] = await claimQueuedTasks(db.sql, 1, o);
    const [waiting] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    // A claim token that is not a UUID fails the cast in the completion's input: the whole statement is refused.
    const broken = { ...task!, claimToken: 'not-a-token' } as ClaimedTask;
    await expect(completeAndClaim(db.sql, [{ task: broken, result: null }], { ...o, limit: 5 })).rejects.toThrow(/uuid/);
    expect(await queueRow(waiting!)).toEqual({ token: null, by: null, attempts: 0 });
    expect((await statusOf(db.sql, task!.id)).executionStatus).toBe('running');
  });

  it('leaves to the next statement a task its own completion unblocks', async () => {
    const [prerequisite] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', key: 'first' }]);
    const [task] = await claimQueuedTasks(db.sql, 1, o);
    expect(task!.id).toBe(prerequisite);
    // A dependency written while the prerequisite ran (a re-plan's): its completion is the one-statement path.
    const [dependent] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', key: 'second' }]);
    await db.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${dependent!}, ${prerequisite!})`;
    const { done, claimed } = await completeAndClaim(db.sql, [{ task: task!, result: null }], { ...o, limit: 5 });
    expect([...done]).toEqual([prerequisite]);
    // The claim saw the statement's snapshot, where the prerequisite had not yet finished.
    expect(claimed).toEqual([]);
    expect((await claimQueuedTasks(db.sql, 5, o)).map((t) => t.id)).toEqual([dependent]);
  });

  it('claims nothing with a batch that has dependents (a transaction of its own)', async () => {
    const [prerequisite] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', key: 'before' }]);
    const dependent = await insertCsmTask(db.sql, plan, 'after');
    await db.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${dependent}, ${prerequisite!})`;
    const [task] = await claimQueuedTasks(db.sql, 1, o);
    expect(task!.hasDependents).toBe(true);
    const [other] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    const { done, claimed } = await completeAndClaim(db.sql, [{ task: task!, result: null }], { ...o, limit: 5 });
    expect([...done]).toEqual([prerequisite]);
    expect(claimed).toEqual([]);
    expect(await queueRow(other!)).toEqual({ token: null, by: null, attempts: 0 });
  });

  it('CompletionGroup asks for the next claim as a write starts and hands the claimed tasks over before answering', async () => {
    await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 3 }, () => ({ processor: 'test-recorder' })),
    );
    const batch = await claimQueuedTasks(db.sql, 3, o);
    await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 5 }, () => ({ processor: 'test-recorder' })),
    );
    const events: string[] = [];
    const asked: number[] = [];
    const group: CompletionGroup = new CompletionGroup(db.sql, {
      next: (completing) => {
        asked.push(completing);
        expect(group.claiming).toBe(false);
        return { ...o, limit: completing + 1 };
      },
      claimed: (tasks, limit) => {
        expect(group.claiming).toBe(false);
        events.push(`claimed ${tasks.length} of ${limit}`);
      },
    });
    statements.length = 0;
    const answers = batch.map((t) => group.complete(t, { summary: 'ok' }).then((kept) => events.push(`answered ${kept}`)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(group.claiming).toBe(true);
    await Promise.all(answers);
    expect(asked).toEqual([3]);
    expect(events).toEqual(['claimed 4 of 4', 'answered true', 'answered true', 'answered true']);
    expect(statements).toHaveLength(1);
  });
});

/** The executor with the completion's claim: the batch size still bounds what runs at once, and every task runs once. */
describe('an executor whose completions claim', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db?.drop());

  it('never runs more than batchSize tasks at once, runs each task once, and claims mostly with its completions', async () => {
    const plan = await seedPlan(db.sql);
    let running = 0;
    let most = 0;
    const runs = new Map<string, number>();
    const counting = testProcessor('counting', async (task) => {
      running += 1;
      most = Math.max(most, running);
      runs.set(task.id, (runs.get(task.id) ?? 0) + 1);
      // Finish at different moments, so completions come in groups of every size.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 6)));
      running -= 1;
      return { summary: 'counted' };
    });
    const claims = { alone: 0 };
    const sql = new Proxy(db.sql, {
      apply(target, thisArg, args: unknown[]) {
        const strings = args[0] as readonly string[] | undefined;
        if (Array.isArray(strings) && strings.join('').startsWith('WITH c AS (')) claims.alone += 1;
        return Reflect.apply(target, thisArg, args);
      },
    });
    const executor = new Executor({
      db: { sql },
      registry: registryOf([counting]),
      services: testServices(sql),
      options: testExecutorOptions('fused', { batchSize: 4, sweepMs: 60_000 }),
    });
    const ids = await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 120 }, () => ({ processor: 'counting' })),
    );
    await executor.start();
    try {
      await eventually(async () => runs.size === ids.length && [...runs.values()].every((n) => n === 1), 'every task run', 60_000);
      expect(most).toBeLessThanOrEqual(4);
      expect(most).toBeGreaterThan(1);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      await eventually(
        async () => (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM task_queue`)[0]!.n === 0,
        'the queue to empty',
      );
      // 120 tasks in batches of at most 4 would take at least 30 claims of their own; the completions carried most.
      expect(claims.alone).toBeLessThan(15);
    } finally {
      await executor.stop();
    }
  });
});

/**
 * The two ways an executor claims, interleaved on purpose: its claim loop (after a failure frees slots) and a completion
 * write's claim. Each is held at a gate while the other gets its chance; one claim at a time keeps what runs within
 * batchSize (READ COMMITTED and SKIP LOCKED keep the two from claiming one task twice; only the slot count is at stake).
 */
describe('the claim loop and a completion claim, interleaved', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db?.drop());

  async function scenario() {
    await db.sql`DELETE FROM workflow_tasks`;
    const plan = await seedPlan(db.sql);
    const outcomes = new Map<string, (outcome: 'ok' | 'fail') => void>();
    let most = 0;
    const gated = testProcessor('gated', async (task) => {
      const outcome = await new Promise<'ok' | 'fail'>((resolve) => {
        outcomes.set(task.id, resolve);
        most = Math.max(most, outcomes.size);
      });
      outcomes.delete(task.id);
      if (outcome === 'fail') throw new Error('transient failure (test)');
      return { summary: 'ok' };
    });
    // Statements held until the test lets them go: the claim loop's claim, or a completion.
    const held = { claim: false, completion: false };
    const waiting: { kind: string; go: () => void }[] = [];
    const sql = new Proxy(db.sql, {
      apply(target, thisArg, args: unknown[]) {
        const strings = args[0] as readonly string[] | undefined;
        const first = Array.isArray(strings) ? strings[0]!.trimStart() : '';
        const kind = first.startsWith('WITH c AS (') ? 'claim' : first.startsWith('WITH input') ? 'completion' : undefined;
        if (!kind || !held[kind as keyof typeof held]) return Reflect.apply(target, thisArg, args);
        return new Promise<void>((go) => waiting.push({ kind, go })).then(() => Reflect.apply(target, thisArg, args));
      },
    });
    const executor = new Executor({
      db: { sql },
      registry: registryOf([gated]),
      services: testServices(sql),
      options: testExecutorOptions('interleaved', { batchSize: 4, maxAttempts: 3, retryDelayMs: 300_000 }),
    });
    await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 12 }, () => ({ processor: 'gated' })),
    );
    const running = () => [...outcomes.keys()];
    /** Ends a task's run, and waits until the executor has recorded it (`left`: tasks in flight after). */
    const end = async (id: string, outcome: 'ok' | 'fail', left: number) => {
      outcomes.get(id)!(outcome);
      await eventually(async () => executor.running === left, `task ${id} to end`);
    };
    const heldOf = (kind: string) => eventually(async () => waiting.find((w) => w.kind === kind), `a held ${kind}`);
    const release = () => {
      held.claim = held.completion = false;
      for (const w of waiting.splice(0)) w.go();
    };
    return { executor, running, end, held, heldOf, release, most: () => most, outcomes };
  }

  it('the claim loop stands aside while a completion claims, then claims what is left', async () => {
    const s = await scenario();
    await s.executor.start();
    try {
      await eventually(async () => s.running().length === 4, 'four tasks running');
      const [t1, t2, t3] = s.running();
      await s.end(t1!, 'fail', 3);
      // One slot free: fewer than half, so the loop waits. The next success's completion is held with its claim.
      s.held.completion = true;
      s.outcomes.get(t2!)!('ok');
      await s.heldOf('completion');
      // A second failure frees a second slot while the completion's claim is out: the loop must not claim it too.
      await s.end(t3!, 'fail', 2);
      await new Promise((r) => setTimeout(r, 50));
      s.release();
      // The completion claimed the two slots it was given (t2's and t1's); t3's, freed meanwhile, is one slot: fewer
      // than half, so the loop, woken, leaves it for the next completion.
      await eventually(async () => s.running().length === 3, 'the claimed tasks running');
      await new Promise((r) => setTimeout(r, 50));
      expect(s.executor.running).toBe(3);
      expect(s.most()).toBeLessThanOrEqual(4);
    } finally {
      s.release();
      for (const id of s.running()) s.outcomes.get(id)!('ok');
      await s.executor.stop();
    }
  });

  it("a completion claims nothing while the claim loop's claim is out", async () => {
    const s = await scenario();
    await s.executor.start();
    try {
      await eventually(async () => s.running().length === 4, 'four tasks running');
      const [t1, t2, t3] = s.running();
      // Two failures free half the slots: the loop claims, and its claim is held.
      s.held.claim = true;
      await s.end(t1!, 'fail', 3);
      await s.end(t2!, 'fail', 2);
      await s.heldOf('claim');
      // A success meanwhile: its completion must not claim the slots the held claim is filling.
      await s.end(t3!, 'ok', 1);
      s.release();
      await eventually(async () => s.running().length >= 3, 'the claimed tasks running');
      await new Promise((r) => setTimeout(r, 50));
      expect(s.most()).toBeLessThanOrEqual(4);
    } finally {
      s.release();
      for (const id of s.running()) s.outcomes.get(id)!('ok');
      await s.executor.stop();
    }
  });
  it('a completion claim that comes back after the stop began runs nothing and leaves its tasks queued', async () => {
    const s = await scenario();
    await s.executor.start();
    await eventually(async () => s.running().length === 4, 'four tasks running');
    const [t1, t2, t3, t4] = s.running();
    s.held.completion = true;
    for (const id of [t1, t2, t3, t4]) s.outcomes.get(id!)!('ok');
    await s.heldOf('completion');
    // The stop begins while the write that completes all four and claims four more is out.
    const stopped = s.executor.stop();
    await new Promise((r) => setTimeout(r, 20));
    s.release();
    const result = await stopped;
    expect(result.released).toBe(4);
    expect(s.running()).toEqual([]);
    const queue = await db.sql<{ claimed: number; unclaimed: number }[]>`
      SELECT count(*) FILTER (WHERE claim_token IS NOT NULL)::int AS claimed, count(*) FILTER (WHERE claim_token IS NULL)::int AS unclaimed
        FROM task_queue`;
    // 12 queued, 4 completed: the other 8 are all queued, none left claimed by the stopped worker, none run.
    expect(queue[0]).toEqual({ claimed: 0, unclaimed: 8 });
    expect(s.most()).toBe(4);
  });
});
