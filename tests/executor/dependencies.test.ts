import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { unblockDependents } from '../../service/src/db/dependencies.ts';
import { claimQueuedTasks, claimTaskNow } from '../../service/src/db/queue.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { updateTask } from '../../service/src/db/tasks.ts';
import { Executor } from '../../service/src/executor/executor.ts';
import type { ExecutorOptions } from '../../service/src/executor/options.ts';
import { freshDatabase } from '../../testkit/database.ts';
import { eventually, insertAiTasks, insertCsmTask, seedPlan, statusOf, testExecutorOptions } from '../../testkit/executor/fixtures.ts';
import { createRunsTable, testRegistry, testServices } from '../../testkit/executor/test-registry.ts';

type Db = Awaited<ReturnType<typeof freshDatabase>>;
const claim = { workerId: 'w1', leaseMs: 60_000, maxAttempts: 3 };
const options = (o: Partial<ExecutorOptions> = {}) => testExecutorOptions('exec-deps', o);

const dependsOn = (sql: Sql, taskId: string, prerequisiteId: string) =>
  sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${taskId}, ${prerequisiteId})`;

describe('AI tasks that wait for other tasks', () => {
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
    await db.sql`DELETE FROM executor_test_runs`;
  });

  it('are not claimed, by the batch claim or the execute endpoint, while a prerequisite is unfinished', async () => {
    const csm = await insertCsmTask(db.sql, plan, 'csm-1');
    const [blocked, free] = await insertAiTasks(db.sql, plan, [
      { processor: 'test-recorder', priority: 1, key: 'ai-1' },
      { processor: 'test-recorder', priority: 3, key: 'ai-2' },
    ]);
    await dependsOn(db.sql, blocked!, csm);
    expect((await claimQueuedTasks(db.sql, 10, claim)).map((t) => t.id)).toEqual([free]);
    expect(await claimTaskNow(db.sql, blocked!, claim)).toBeUndefined();
    await updateTask(db.sql, csm, { status: 'completed' });
    expect((await claimQueuedTasks(db.sql, 10, claim)).map((t) => t.id)).toEqual([blocked]);
  });

  it('a cancelled prerequisite holds nothing back; a pending one of two still does', async () => {
    const first = await insertCsmTask(db.sql, plan, 'csm-1');
    const second = await insertCsmTask(db.sql, plan, 'csm-2');
    const [ai] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', key: 'ai-1' }]);
    await dependsOn(db.sql, ai!, first);
    await dependsOn(db.sql, ai!, second);
    await updateTask(db.sql, first, { status: 'cancelled' });
    expect(await claimQueuedTasks(db.sql, 10, claim)).toEqual([]);
    await updateTask(db.sql, second, { status: 'completed' });
    expect((await claimQueuedTasks(db.sql, 10, claim)).map((t) => t.id)).toEqual([ai]);
  });

  it('is claimed within one executor wake-up once its CSM prerequisite is completed', async () => {
    const csm = await insertCsmTask(db.sql, plan, 'csm-1');
    const [ai] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', key: 'ai-1' }]);
    await dependsOn(db.sql, ai!, csm);
    const ex = new Executor({ db, registry: testRegistry('exec-deps', db.sql), services: testServices(db.sql), options: options() });
    await ex.start();
    try {
      // Started, the executor claimed at once and found nothing it may run.
      await ex.runOnce();
      expect((await statusOf(db.sql, ai!)).executionStatus).toBe('queued');
      const wakes = vi.spyOn(ex, 'wake');
      await updateTask(db.sql, csm, { status: 'completed' });
      await eventually(async () => (await statusOf(db.sql, ai!)).executionStatus === 'success', 'the dependent AI task to run');
      // One NOTIFY (the unblock's update of the queued task) woke it; nothing else did.
      expect(wakes).toHaveBeenCalledTimes(1);
    } finally {
      await ex.stop();
    }
  });

  it('an AI task waiting for another AI task runs after it, woken by its completion', async () => {
    const [first, second] = await insertAiTasks(db.sql, plan, [
      { processor: 'test-recorder', priority: 3, key: 'ai-1' },
      { processor: 'test-recorder', priority: 1, key: 'ai-2' },
    ]);
    await dependsOn(db.sql, second!, first!);
    const ex = new Executor({ db, registry: testRegistry('exec-deps', db.sql), services: testServices(db.sql), options: options() });
    await ex.start();
    try {
      await eventually(async () => (await statusOf(db.sql, second!)).executionStatus === 'success', 'both tasks to run');
      const runs = await db.sql<{ taskId: string }[]>`SELECT task_id AS "taskId" FROM executor_test_runs ORDER BY started_at`;
      // Priority 1 would run first; the dependency makes it wait.
      expect(runs.map((r) => r.taskId)).toEqual([first, second]);
    } finally {
      await ex.stop();
    }
  });

  it('unblockDependents touches only the tasks whose every prerequisite is finished', async () => {
    const a = await insertCsmTask(db.sql, plan, 'csm-1');
    const b = await insertCsmTask(db.sql, plan, 'csm-2');
    const [onlyA, both] = await insertAiTasks(db.sql, plan, [
      { processor: 'test-recorder', key: 'ai-1' },
      { processor: 'test-recorder', key: 'ai-2' },
    ]);
    await dependsOn(db.sql, onlyA!, a);
    await dependsOn(db.sql, both!, a);
    await dependsOn(db.sql, both!, b);
    await db.sql`UPDATE workflow_tasks SET status = 'completed' WHERE id = ${a}`;
    expect(await unblockDependents(db.sql, [a])).toEqual([onlyA]);
  });
});
