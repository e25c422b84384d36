import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrationFiles } from '../../service/src/db/migrate.ts';
import { cancelTask, claimQueuedTasks, completeTask, recoverExpiredLeases, retryTask } from '../../service/src/db/queue.ts';
import { updateTask } from '../../service/src/db/tasks.ts';
import { freshDatabase } from '../../testkit/database.ts';
import { insertAiTasks, seedPlan, statusOf } from '../../testkit/executor/fixtures.ts';

/**
 * The narrow queue table of migration 0024 (docs/performance.md): the tasks already queued or running when it is
 * applied move into it with their claims, and every writer of workflow_tasks keeps it in step (its trigger), while
 * a claimed row is changed only by the executor's own statements under the claim's token.
 */
describe('the task_queue table', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const worker = { workerId: 'w', leaseMs: 60_000, maxAttempts: 3 };
  const queueRow = async (id: string) =>
    (
      await db.sql<
        { attempts: number; claimed: boolean; claimedBy: string | null; leased: boolean }[]
      >`SELECT attempts, claim_token IS NOT NULL AS claimed, claimed_by AS "claimedBy", locked_until > now() AS leased FROM task_queue WHERE task_id = ${id}`
    )[0];
  beforeAll(async () => {
    db = await freshDatabase({ migrate: false });
  });
  afterAll(async () => db?.drop());

  it('0024 moves the queued and running AI tasks in, each running one with its claim and lease', async () => {
    await migrate(
      db.sql,
      migrationFiles().filter((m) => m.version < 24),
    );
    const plan = await seedPlan(db.sql);
    const [queued, running, cancelled, done] = await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 4 }, () => ({ processor: 'test-recorder' })),
    );
    await db.sql`UPDATE workflow_tasks SET execution_status = 'running', claim_token = gen_random_uuid(), claimed_by = 'old-worker',
                        locked_until = now() - interval '1 second', attempts = 1 WHERE id = ${running!}`;
    await db.sql`UPDATE workflow_tasks SET status = 'cancelled' WHERE id = ${cancelled!}`;
    await db.sql`UPDATE workflow_tasks SET execution_status = 'success', status = 'completed' WHERE id = ${done!}`;
    expect(await migrate(db.sql)).toEqual(['0024_task_queue.sql']);

    expect(await queueRow(queued!)).toEqual({ attempts: 0, claimed: false, claimedBy: null, leased: null });
    expect(await queueRow(running!)).toEqual({ attempts: 1, claimed: true, claimedBy: 'old-worker', leased: false });
    expect(await queueRow(cancelled!)).toBeUndefined();
    expect(await queueRow(done!)).toBeUndefined();
    expect((await statusOf(db.sql, running!)).executionStatus).toBe('running');
    // The old worker's lease had expired: the sweep takes the task back, as it did before the move.
    expect(await recoverExpiredLeases(db.sql)).toEqual({ requeued: 1, failed: 0 });
    expect(await statusOf(db.sql, running!)).toMatchObject({ executionStatus: 'queued', attempts: 1 });
  });

  it('follows every writer of workflow_tasks, and leaves a claimed row to its executor', async () => {
    const plan = await seedPlan(db.sql);
    const [id] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', key: 'writers' }]);
    expect(await queueRow(id!)).toMatchObject({ claimed: false });
    expect(await cancelTask(db.sql, id!, 'not needed')).toBe(true);
    expect(await queueRow(id!)).toBeUndefined();
    expect(await retryTask(db.sql, id!)).toBe('queued');
    expect(await queueRow(id!)).toMatchObject({ attempts: 0, claimed: false });

    await db.sql`UPDATE task_queue SET claim_token = NULL`; // the first test's task is not this test's
    await db.sql`DELETE FROM task_queue WHERE task_id <> ${id!}`;
    const [task] = await claimQueuedTasks(db.sql, 1, worker);
    expect(task!.id).toBe(id);
    // A cancel (the CSM's, the operator's) and a retry do not touch a running task.
    expect(await updateTask(db.sql, id!, { status: 'cancelled' })).toBeUndefined();
    expect(await cancelTask(db.sql, id!, 'too late')).toBe(false);
    expect(await retryTask(db.sql, id!)).toBeUndefined();
    expect(await queueRow(id!)).toMatchObject({ attempts: 1, claimed: true, claimedBy: 'w', leased: true });
    expect(await completeTask(db.sql, task!, { summary: 'ran' })).toBe(true);
    expect(await queueRow(id!)).toBeUndefined();
    expect(await statusOf(db.sql, id!)).toMatchObject({ executionStatus: 'success', attempts: 1, claimedBy: 'w', status: 'completed' });
  });
});
