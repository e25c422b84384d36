import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../testkit/database.ts';
import { countInStatus, eventually, insertAiTasks, seedPlan, statusOf } from '../../testkit/executor/fixtures.ts';
import { startWorker, type WorkerProcess } from '../../testkit/executor/processes.ts';
import { createRunsTable } from '../../testkit/executor/test-registry.ts';

/** Executors in separate processes against one real PostgreSQL: they coordinate only through the database. */
describe('executors in separate processes', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let plan: { executionId: string; planId: string };
  const workers: WorkerProcess[] = [];
  const worker = async (id: string, env: Record<string, string> = {}) => {
    const w = await startWorker({ DATABASE_URL: db.url, WORKER_ID: id, LOG_LEVEL: 'info', ...env });
    workers.push(w);
    return w;
  };
  const count = (where: 'success' | 'running' | 'queued') => countInStatus(db.sql, where);

  beforeAll(async () => {
    db = await freshDatabase();
    await createRunsTable(db.sql);
    plan = await seedPlan(db.sql);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await db.sql`DELETE FROM workflow_tasks`;
    await db.sql`DELETE FROM executor_test_runs`;
  });
  afterAll(async () => db?.drop());

  it('drains 2,000 tasks with three executor processes, every task running exactly once', { timeout: 180_000 }, async () => {
    await Promise.all(['p1', 'p2', 'p3'].map((id) => worker(id)));
    const ids = await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 2000 }, (_, i) => ({ processor: 'test-recorder', priority: (i % 5) + 1 })),
    );
    await eventually(async () => (await count('success')) === 2000, 'all 2,000 tasks done', 150_000);
    const runs = await db.sql<
      { n: number; distinct: number }[]
    >`SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS distinct FROM executor_test_runs`;
    expect(runs[0]).toEqual({ n: 2000, distinct: 2000 });
    // Which process gets how much depends on scheduling, so the split is not asserted; what is guaranteed is that each
    // task ran once, by one of the three, and is recorded as claimed by the process that ran it.
    const byRun = await db.sql<{ worker: string; claimedBy: string }[]>`
      SELECT r.worker, t.claimed_by AS "claimedBy" FROM executor_test_runs r JOIN workflow_tasks t ON t.id = r.task_id
       WHERE t.id IN ${db.sql(ids)}`;
    expect(byRun).toHaveLength(ids.length);
    expect(byRun.filter((r) => !['p1', 'p2', 'p3'].includes(r.worker))).toEqual([]);
    expect(byRun.filter((r) => r.worker !== r.claimedBy)).toEqual([]);
    // One success notification per task: a second completion of any task would add one.
    expect((await db.sql`SELECT count(*)::int AS n FROM notifications WHERE kind = 'ai-task-succeeded'`)[0]!.n).toBe(2000);
  });

  it('re-claims the task of a worker killed mid-task (SIGKILL) after its lease, and completes it once', { timeout: 120_000 }, async () => {
    const fast = { LEASE_MS: '1500', SWEEP_MS: '250' };
    const doomed = await worker('doomed', fast);
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', metadata: { hangOnFirstAttempt: true } }]);
    await eventually(
      async () => (await db.sql`SELECT 1 FROM executor_test_runs WHERE task_id = ${id!} AND worker = 'doomed'`).length === 1,
      'the doomed worker to start the task',
    );
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect((await statusOf(db.sql, id!)).executionStatus).toBe('running');
    await worker('rescuer', fast);
    const row = await eventually(async () => {
      const r = await statusOf(db.sql, id!);
      return r.executionStatus === 'success' && r;
    }, 'the rescuer to complete it');
    expect(row).toMatchObject({ claimedBy: 'rescuer', attempts: 2 });
    expect(await db.sql`SELECT worker, attempt FROM executor_test_runs WHERE task_id = ${id!} ORDER BY attempt`).toEqual([
      { worker: 'doomed', attempt: 1 },
      { worker: 'rescuer', attempt: 2 },
    ]);
    expect((await db.sql`SELECT count(*)::int AS n FROM notifications WHERE task_id = ${id!} AND kind = 'ai-task-succeeded'`)[0]!.n).toBe(
      1,
    );
  });

  it("rejects a stalled worker's late completion once its lease was taken over (SIGSTOP, then SIGCONT)", { timeout: 120_000 }, async () => {
    const fast = { LEASE_MS: '1500', SWEEP_MS: '250' };
    const zombie = await worker('zombie', fast);
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', metadata: { sleepMs: 2500 } }]);
    await eventually(
      async () => (await db.sql`SELECT 1 FROM executor_test_runs WHERE task_id = ${id!} AND worker = 'zombie'`).length === 1,
      'the zombie to start the task',
    );
    zombie.child.kill('SIGSTOP');
    await worker('healthy', fast);
    const row = await eventually(async () => {
      const r = await statusOf(db.sql, id!);
      return r.executionStatus === 'success' && r;
    }, 'the healthy worker to complete it');
    expect(row.claimedBy).toBe('healthy');
    zombie.child.kill('SIGCONT');
    await eventually(async () => zombie.stderr.some((l) => l.includes('claim no longer holds')), "the zombie's completion to be rejected");
    const after = await statusOf(db.sql, id!);
    expect(after.claimedBy).toBe('healthy');
    expect(after.executionResult).toMatchObject({ worker: 'healthy' });
  });

  it('shuts down on SIGTERM leaving nothing running', { timeout: 120_000 }, async () => {
    const w = await worker('graceful', { SHUTDOWN_TIMEOUT_MS: '8000' });
    await insertAiTasks(db.sql, plan, [
      ...Array.from({ length: 4 }, () => ({ processor: 'test-recorder', metadata: { sleepMs: 1500 } })),
      { processor: 'test-recorder', metadata: { hangOnFirstAttempt: true } },
    ]);
    await eventually(async () => (await count('running')) === 5, 'five running');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(await count('running')).toBe(0);
    expect(await count('success')).toBe(4);
    expect(await count('queued')).toBe(1);
    expect(w.stdout.find((l) => l.startsWith('stopped'))).toBe('stopped {"finished":4,"released":1}');
  });
});
