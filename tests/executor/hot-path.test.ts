import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimQueuedTasks, completeTasks, extendLeases } from '../../service/src/db/queue.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { freshDatabase } from '../../testkit/database.ts';
import { CSM_USER, insertAiTasks, OPPORTUNITY, seedPlan } from '../../testkit/executor/fixtures.ts';

/**
 * The executor's hot path stays narrow (issue 25, docs/performance.md): a completed batch without dependents costs one
 * statement (its own transaction), one with dependents still unblocks them in one transaction, and a claim and a lease
 * renewal touch only the narrow queue table, the renewal writing no index entry there (migration 0024: task_queue
 * indexes no column it changes).
 */
describe("the executor's hot path", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const statements: string[] = [];
  let plan: { executionId: string; planId: string };
  beforeAll(async () => {
    db = await freshDatabase({ onQuery: (q) => void statements.push(q.replace(/\s+/g, ' ').trim()) });
    plan = await seedPlan(db.sql);
  });
  afterAll(async () => db?.drop());

  const claim = (n: number) => claimQueuedTasks(db.sql, n, { workerId: 'hot', leaseMs: 60_000, maxAttempts: 3 });
  const unblockRead = (s: string) => s.includes('FROM task_dependencies WHERE prerequisite_id');

  it('completes a batch whose tasks have no dependents in one statement', async () => {
    await insertAiTasks(
      db.sql,
      plan,
      Array.from({ length: 5 }, () => ({ processor: 'test-recorder' })),
    );
    const tasks = await claim(5);
    expect(tasks).toHaveLength(5);
    statements.length = 0;
    const done = await completeTasks(
      db.sql,
      tasks.map((task) => ({ task, result: { summary: 'ok' } })),
    );
    expect(done.size).toBe(5);
    expect(statements.map((s) => s.slice(0, 10).toLowerCase())).toEqual([expect.stringMatching(/^with input/)]);
  });

  it('still unblocks, in the same transaction, what waited for a completed task', async () => {
    const [prerequisite] = await insertAiTasks(db.sql, plan, [{ processor: 'test-recorder', key: 'prereq' }]);
    const [dependent] = await db.sql<{ id: string }[]>`
      INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, assignee_user_id, mirror_status)
      VALUES (${plan.planId}, ${plan.executionId}, ${OPPORTUNITY}, 'after-prereq', 'CSM', 'Call the buyer', ${CSM_USER}, 'synced')
      RETURNING id`;
    await db.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${dependent!.id}, ${prerequisite!})`;
    const [task] = await claim(1);
    expect(task!.id).toBe(prerequisite);
    statements.length = 0;
    expect((await completeTasks(db.sql, [{ task: task!, result: { summary: 'ok' } }])).has(prerequisite!)).toBe(true);
    const commit = statements.findIndex((s) => s.toLowerCase() === 'commit');
    expect(statements.findIndex(unblockRead)).toBeGreaterThan(0);
    expect(statements.findIndex(unblockRead)).toBeLessThan(commit);
    const [row] = await db.sql`SELECT mirror_status FROM workflow_tasks WHERE id = ${dependent!.id}`;
    expect(row!.mirror_status).toBe('pending');
  });

  it('claims and renews leases in task_queue alone, the renewal a HOT update, and writes no workflow_tasks row', async () => {
    // A database of its own: a HOT update also needs room on the row's page, which the other tests' row versions fill.
    const own = await freshDatabase();
    try {
      await renewsHot(own.sql, await seedPlan(own.sql));
    } finally {
      await own.drop();
    }
  });
});

async function renewsHot(sql: Sql, plan: { executionId: string; planId: string }): Promise<void> {
  await insertAiTasks(
    sql,
    plan,
    Array.from({ length: 3 }, () => ({ processor: 'test-recorder' })),
  );
  // This backend's own counters, not yet flushed to the shared statistics: nothing to wait for. They may include
  // this connection's earlier statements, hence the difference around the claim and the renewal.
  const counts = await sql.begin(async (tx) => {
    const read = async () =>
      Object.fromEntries(
        (
          await tx<{ relname: string; upd: number; hot: number }[]>`
            SELECT relname, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_xact_user_tables
             WHERE relname IN ('workflow_tasks', 'task_queue')`
        ).map((r) => [r.relname, { upd: r.upd, hot: r.hot }]),
      );
    const diff = (a: Record<string, { upd: number; hot: number }>, b: typeof a) =>
      Object.fromEntries(Object.keys(b).map((k) => [k, { upd: b[k]!.upd - (a[k]?.upd ?? 0), hot: b[k]!.hot - (a[k]?.hot ?? 0) }]));
    const before = await read();
    const tasks = await claimQueuedTasks(tx as never, 3, { workerId: 'hot', leaseMs: 60_000, maxAttempts: 3 });
    expect(tasks).toHaveLength(3);
    const claimed = await read();
    expect(await extendLeases(tx as never, tasks, 120_000)).toBe(3);
    const renewed = await read();
    return { claim: diff(before, claimed), renewal: diff(claimed, renewed) };
  });
  // The claim leaves the partial index of unclaimed rows (not HOT: one new primary-key entry per task).
  expect(counts.claim).toEqual({ workflow_tasks: { upd: 0, hot: 0 }, task_queue: { upd: 3, hot: 0 } });
  expect(counts.renewal).toEqual({ workflow_tasks: { upd: 0, hot: 0 }, task_queue: { upd: 3, hot: 3 } });
}
