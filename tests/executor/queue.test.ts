import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimQueuedTasks, completeTask, failTask, recoverExpiredLeases, releaseTasks } from '../../service/src/db/queue.ts';
import { Executor } from '../../service/src/executor/executor.ts';
import type { ExecutorOptions } from '../../service/src/executor/options.ts';
import { freshDatabase } from '../../testkit/database.ts';
import { countInStatus, eventually, insertAiTasks, seedPlan, statusOf, testExecutorOptions } from '../../testkit/executor/fixtures.ts';
import { createRunsTable, testRegistry, testServices } from '../../testkit/executor/test-registry.ts';

type Db = Awaited<ReturnType<typeof freshDatabase>>;
const claim = { workerId: 'w1', leaseMs: 60_000, maxAttempts: 3 };

const options = (o: Partial<ExecutorOptions> = {}) => testExecutorOptions('exec-a', o);

describe('AI task queue', () => {
  let db: Db;
  let plan: { executionId: string; planId: string };
  beforeAll(async () => {
    db = await freshDatabase();
    await createRunsTable(db.sql);
    plan = await seedPlan(db.sql);
  });
  afterAll(async () => db?.drop());
  beforeEach(async () => {
    await db.sql`DELETE FROM workflow_tasks`;
    await db.sql`DELETE FROM notifications`;
    await db.sql`DELETE FROM executor_test_runs`;
  });

  it('claims due tasks priority 1 first, then oldest, setting running, a lease and a fresh token', async () => {
    const [low] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', priority: 4 }]);
    const [urgent] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', priority: 1 }]);
    const [later] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', priority: 1 }]);
    const [notDue] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', priority: 1 }]);
    await db.sql`UPDATE workflow_tasks SET run_after = now() + interval '1 hour' WHERE id = ${notDue!}`;
    const claimed = await claimQueuedTasks(db.sql, 2, claim);
    expect(claimed.map((t) => t.id)).toEqual([urgent, later]);
    expect(new Set(claimed.map((t) => t.claimToken)).size).toBe(2);
    // The claim lives in task_queue (migration 0024); the task's own row is written when the run ends.
    const rows =
      await db.sql`SELECT claimed_by, locked_until > now() + interval '50 seconds' AS leased, attempts FROM task_queue WHERE task_id = ${urgent!}`;
    expect(rows[0]).toMatchObject({ claimed_by: 'w1', leased: true, attempts: 1 });
    expect((await statusOf(db.sql, urgent!)).executionStatus).toBe('running');
    const rest = await claimQueuedTasks(db.sql, 10, claim);
    expect(rest.map((t) => t.id)).toEqual([low]);
  });

  it('never hands one task to two concurrent claimers', async () => {
    await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 300 }, () => ({ processor: 'test-recorder' })),
    );
    const claimers = Array.from({ length: 6 }, (_, i) =>
      (async () => {
        const got: string[] = [];
        for (;;) {
          const batch = await claimQueuedTasks(db.sql, 7, { ...claim, workerId: `c${i}` });
          if (batch.length === 0) return got;
          got.push(...batch.map((t) => t.id));
        }
      })(),
    );
    const all = (await Promise.all(claimers)).flat();
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
  });

  it('rejects a completion whose claim token no longer holds (a zombie after its lease was recovered)', async () => {
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    const [zombie] = await claimQueuedTasks(db.sql, 1, { ...claim, workerId: 'zombie', leaseMs: 1 });
    await eventually(async () => (await recoverExpiredLeases(db.sql)).requeued === 1, 'the lease sweep');
    const [fresh] = await claimQueuedTasks(db.sql, 1, { ...claim, workerId: 'healthy' });
    expect(fresh!.id).toBe(id);
    expect(await completeTask(db.sql, zombie!, { summary: 'late' })).toBe(false);
    expect(await failTask(db.sql, zombie!, { message: 'late failure', permanent: true, retryDelayMs: 0 })).toBeUndefined();
    expect(await completeTask(db.sql, fresh!, { summary: 'on time' })).toBe(true);
    const row = await statusOf(db.sql, id!);
    expect(row).toMatchObject({ executionStatus: 'success', claimedBy: 'healthy', attempts: 2, status: 'completed' });
    expect(row.executionResult).toEqual({ summary: 'on time' });
  });

  it('retries after the delay with jitter, then fails for good with the reason and one notification', async () => {
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    const delay = 300_000;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [task] = await claimQueuedTasks(db.sql, 1, claim);
      expect(task?.attempts).toBe(attempt);
      const before = Date.now();
      const status = await failTask(db.sql, task!, { message: `boom ${attempt}`, permanent: false, retryDelayMs: delay });
      const row = await statusOf(db.sql, id!);
      if (attempt < 3) {
        expect(status).toBe('queued');
        // Not due yet: five minutes away (the executor passes the ±20% jittered delay).
        expect(row.runAfter.getTime()).toBeGreaterThan(before + delay - 5_000);
        expect(await claimQueuedTasks(db.sql, 1, claim)).toHaveLength(0);
        await db.sql`UPDATE workflow_tasks SET run_after = now() WHERE id = ${id!}`; // the five minutes pass
      } else {
        expect(status).toBe('failed');
        expect(row.executionResult).toMatchObject({ error: 'boom 3', attempts: 3, maxAttempts: 3, permanent: false });
      }
    }
    const notes = await db.sql`SELECT kind, body FROM notifications WHERE task_id = ${id!}`;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: 'ai-task-failed' });
    expect(notes[0]!.body).toMatch(/boom 3 \(attempt 3 of 3\)/);
  });

  it('fails a permanent error at once, without retrying', async () => {
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    const [task] = await claimQueuedTasks(db.sql, 1, claim);
    expect(await failTask(db.sql, task!, { message: 'contact is on another account', permanent: true, retryDelayMs: 300_000 })).toBe(
      'failed',
    );
    expect((await statusOf(db.sql, id!)).executionResult).toMatchObject({
      error: 'contact is on another account',
      attempts: 1,
      permanent: true,
    });
  });

  it('recovers an expired lease on the last attempt as a failure that notifies the CSM', async () => {
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    await db.sql`UPDATE workflow_tasks SET attempts = 2 WHERE id = ${id!}`;
    await claimQueuedTasks(db.sql, 1, { ...claim, leaseMs: 1 });
    await eventually(async () => (await recoverExpiredLeases(db.sql)).failed === 1, 'the lease sweep');
    const row = await statusOf(db.sql, id!);
    expect(row.executionStatus).toBe('failed');
    expect(row.executionResult.error).toMatch(/lease expired/);
    expect(await db.sql`SELECT 1 FROM notifications WHERE task_id = ${id!} AND kind = 'ai-task-failed'`).toHaveLength(1);
  });

  it('releases unfinished tasks without counting the attempt', async () => {
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    const [task] = await claimQueuedTasks(db.sql, 1, claim);
    expect(await releaseTasks(db.sql, [task!])).toBe(1);
    expect(await statusOf(db.sql, id!)).toMatchObject({ executionStatus: 'queued', attempts: 0 });
  });
});

describe('Executor (in process)', () => {
  let db: Db;
  let plan: { executionId: string; planId: string };
  beforeAll(async () => {
    db = await freshDatabase({ poolMax: 8 });
    await createRunsTable(db.sql);
    plan = await seedPlan(db.sql);
  });
  afterAll(async () => db?.drop());

  const executor = (o: Partial<ExecutorOptions> = {}) =>
    new Executor({ db, registry: testRegistry(o.workerId ?? 'exec-a', db.sql), services: testServices(db.sql), options: options(o) });

  it('is woken by NOTIFY when tasks are queued, runs them and notifies the CSM of each success', async () => {
    const ex = executor();
    await ex.start();
    try {
      const ids = await insertAiTasks(
        db.sql,
        plan,
        Array.from({ length: 25 }, () => ({ processor: 'test-recorder' })),
      );
      // The tick is every 5 minutes and the sweep every minute: only the notification wakes it.
      await eventually(
        async () =>
          (await db.sql`SELECT count(*)::int AS n FROM workflow_tasks WHERE id IN ${db.sql(ids)} AND execution_status = 'success'`)[0]!
            .n === 25,
        '25 successes',
      );
      expect(
        (await db.sql`SELECT count(*)::int AS n FROM notifications WHERE task_id IN ${db.sql(ids)} AND kind = 'ai-task-succeeded'`)[0]!.n,
      ).toBe(25);
    } finally {
      await ex.stop();
    }
  });

  it('fails a task whose processor is not in the registry or whose metadata does not parse, without retrying', async () => {
    const ex = executor();
    await ex.start();
    try {
      const [unknown, bad] = await insertAiTasks(db.sql, plan, [
        { processor: '../../etc/passwd' },
        { processor: 'test-recorder', metadata: { failTimes: 'x' } },
      ]);
      const u = await eventually(async () => {
        const r = await statusOf(db.sql, unknown!);
        return r.executionStatus === 'failed' && r;
      }, 'unknown processor failure');
      expect(u.executionResult).toMatchObject({ code: 'UNKNOWN_PROCESSOR', attempts: 1, permanent: true });
      const b = await eventually(async () => {
        const r = await statusOf(db.sql, bad!);
        return r.executionStatus === 'failed' && r;
      }, 'bad metadata failure');
      expect(b.executionResult).toMatchObject({ code: 'INVALID_METADATA', attempts: 1 });
      expect(b.executionResult.error).toMatch(/failTimes/);
    } finally {
      await ex.stop();
    }
  });

  it('retries a transient failure and succeeds on a later attempt', async () => {
    const ex = executor({ retryDelayMs: 50, sweepMs: 100 });
    await ex.start();
    try {
      const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', metadata: { failTimes: 2 } }]);
      const row = await eventually(async () => {
        const r = await statusOf(db.sql, id!);
        return r.executionStatus === 'success' && r;
      }, 'success on attempt 3');
      expect(row.attempts).toBe(3);
      expect(await db.sql`SELECT attempt FROM executor_test_runs WHERE task_id = ${id!} ORDER BY attempt`).toEqual([
        { attempt: 1 },
        { attempt: 2 },
        { attempt: 3 },
      ]);
    } finally {
      await ex.stop();
    }
  });

  it('stops gracefully: claims nothing more, waits for running tasks, releases those past the timeout', async () => {
    const ex = executor({ workerId: 'stopper' });
    await ex.start();
    const [quick, hung] = await insertAiTasks(db.sql, plan, [
      { processor: 'test-recorder', metadata: { sleepMs: 300 } },
      { processor: 'test-recorder', metadata: { hangOnFirstAttempt: true } },
    ]);
    await eventually(async () => ex.running === 2, 'both running');
    const result = await ex.stop(2_000);
    expect(result).toEqual({ finished: 1, released: 1 });
    expect((await statusOf(db.sql, quick!)).executionStatus).toBe('success');
    expect(await statusOf(db.sql, hung!)).toMatchObject({ executionStatus: 'queued', attempts: 0 });
    const [queuedAfterStop] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder' }]);
    // The insert notified the queue channel. Rather than wait some time for that notification, call every wake-up the
    // executor has (a notification's, the tick's and the sweep's) and then stop it again: that second stop waits for
    // any claim loop they started and any task it launched, and reports what was running.
    ex.wake();
    await ex.tick();
    expect(await ex.stop(2_000)).toEqual({ finished: 0, released: 0 });
    expect((await db.sql`SELECT count(*)::int AS n FROM executor_test_runs WHERE task_id = ${queuedAfterStop!}`)[0]!.n).toBe(0);
    expect(await countInStatus(db.sql, 'running')).toBe(0);
    expect((await statusOf(db.sql, queuedAfterStop!)).executionStatus).toBe('queued');
  });

  it('runs one claim-and-run cycle with runOnce (the --once mode)', async () => {
    await db.sql`UPDATE workflow_tasks SET execution_status = 'success' WHERE execution_status = 'queued'`;
    const ids = await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 12 }, () => ({ processor: 'test-recorder' })),
    );
    const ex = executor({ batchSize: 5 });
    const outcomes = await ex.runOnce();
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('success'));
    expect(
      (await db.sql`SELECT count(*)::int AS n FROM workflow_tasks WHERE id IN ${db.sql(ids)} AND execution_status = 'queued'`)[0]!.n,
    ).toBe(7);
  });
});
