import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionLiveState, planViewStamp } from '../../service/src/db/plan-view-state.ts';
import { tasksToMirror } from '../../service/src/db/mirror-queue.ts';
import {
  claimQueuedTasks,
  claimTaskNow,
  completeTasks,
  extendLeases,
  lastErrors,
  listQueue,
  queueDepth,
  recoverExpiredLeases,
} from '../../service/src/db/queue.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { listTasks, opportunitiesOfTasks } from '../../service/src/db/tasks.ts';
import { freshDatabase } from '../../testkit/database.ts';
import { seedYear } from '../../testkit/year-seed.ts';
import { insertAiTasks } from '../../testkit/executor/fixtures.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const seqScansOnTasks = (node: PlanNode): number =>
  (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'workflow_tasks' ? 1 : 0) +
  (node.Plans ?? []).reduce((n, p) => n + seqScansOnTasks(p), 0);

/**
 * The plan view, the task list, the execute endpoint, the executor and the operator's views, on a seeded table with
 * statistics from ANALYZE (the planner's own choice, no enable_seqscan games): no sequential scan of workflow_tasks.
 * Each statement is captured as the code sends it, then explained with its parameters.
 */
describe('query plans at scale', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let traced: Sql;
  const statements: { query: string; params: unknown[] }[] = [];
  let seeded: Awaited<ReturnType<typeof seedYear>>;

  beforeAll(async () => {
    db = await freshDatabase();
    // A fifth of a year: large enough that a scan costs what it would, quick to seed.
    seeded = await seedYear(db.sql, { opportunities: 1_000, planTasks: 10_000, finishedAiTasks: 40_000 });
    await insertAiTasks(
      db.sql,
      { executionId: seeded.executionId, planId: seeded.planId },
      [{ processor: 'crm-opportunity-updater' }, { processor: 'crm-opportunity-updater' }],
      seeded.opportunityId,
    );
    await db.sql`VACUUM ANALYZE workflow_tasks`;
    traced = postgres(db.url, {
      max: 1,
      onnotice: () => undefined,
      transform: { undefined: null },
      debug: (_conn, query, params) => void statements.push({ query, params: params as unknown[] }),
    }) as Sql;
  }, 120_000);
  afterAll(async () => {
    await traced?.end({ timeout: 5 });
    await db?.drop();
  });

  /**
   * Runs `fn` on the traced connection, then explains every statement it sent that reads workflow_tasks or the
   * executor's queue table (since 0024 a lease renewal touches only task_queue, which holds the backlog alone: its
   * scans are not counted, its statements are still explained).
   */
  async function plansOf(fn: (sql: Sql) => Promise<unknown>): Promise<{ query: string; seqScans: number }[]> {
    statements.length = 0;
    await fn(traced);
    const out = [];
    for (const s of statements.filter((st) => /workflow_tasks|task_queue/.test(st.query))) {
      const [row] = await db.sql.unsafe(`EXPLAIN (FORMAT JSON) ${s.query}`, s.params as never[]);
      const plan = (row as unknown as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'][0]!.Plan;
      out.push({ query: s.query.replace(/\s+/g, ' ').slice(0, 120), seqScans: seqScansOnTasks(plan) });
    }
    expect(out.length).toBeGreaterThan(0);
    return out;
  }
  const noSeqScan = async (fn: (sql: Sql) => Promise<unknown>) => {
    for (const p of await plansOf(fn)) expect(p, p.query).toMatchObject({ seqScans: 0 });
  };

  it('the plan view (its stamp, then its live state)', async () => {
    const { stamp } = (await planViewStamp(db.sql, seeded.executionId, 30 * 60_000))!;
    await noSeqScan((sql) => planViewStamp(sql, seeded.executionId, 30 * 60_000, [stamp]));
    // A stamp the caller does not hold: the same statement brings the live state along.
    await noSeqScan((sql) => planViewStamp(sql, seeded.executionId, 30 * 60_000));
    await noSeqScan((sql) => executionLiveState(sql, seeded.executionId, 30 * 60_000));
  });

  it('the task list with filters, first and next page', async () => {
    await noSeqScan((sql) => listTasks(sql, { opportunityIds: [seeded.opportunityId], status: 'completed', limit: 20 }));
    await noSeqScan((sql) =>
      listTasks(sql, {
        opportunityIds: [seeded.opportunityId],
        limit: 5,
        after: { createdAt: '2026-01-01T00:00:00.000000Z', id: '00000000-0000-0000-0000-000000000000' },
      }),
    );
    await noSeqScan((sql) => listTasks(sql, { executionId: seeded.executionId, owner: 'AI', limit: 20 }));
    // GET /tasks?execution_status=… without the AI filter: the candidates' opportunities, then the page (0023 dropped
    // the full index on execution_status; the two partial ones answer it together).
    await noSeqScan((sql) => opportunitiesOfTasks(sql, { executionStatus: 'failed' }));
    await noSeqScan((sql) => listTasks(sql, { opportunityIds: [seeded.opportunityId], executionStatus: 'success', limit: 20 }));
  });

  it("the executor's hot path: lease renewal and completion of a claimed batch", async () => {
    await insertAiTasks(
      db.sql,
      { executionId: seeded.executionId, planId: seeded.planId },
      [{ processor: 'crm-opportunity-updater' }, { processor: 'crm-opportunity-updater' }],
      seeded.opportunityId,
    );
    const tasks = await claimQueuedTasks(db.sql, 2, { workerId: 'plans', leaseMs: 60_000, maxAttempts: 3 });
    expect(tasks).toHaveLength(2);
    await noSeqScan((sql) => extendLeases(sql, tasks, 60_000));
    await noSeqScan((sql) =>
      completeTasks(
        sql,
        tasks.map((task) => ({ task, result: { summary: 'ok' } })),
      ),
    );
  });

  it('the executor: claim, execute one now, lease sweep; the mirror queue', async () => {
    const o = { workerId: 'plans', leaseMs: 60_000, maxAttempts: 3 };
    await noSeqScan((sql) => claimQueuedTasks(sql, 10, o));
    const [queued] = await db.sql<
      { id: string }[]
    >`SELECT id FROM workflow_tasks WHERE auto_execute AND execution_status = 'success' LIMIT 1`;
    await noSeqScan((sql) => claimTaskNow(sql, queued!.id, o));
    await noSeqScan((sql) => recoverExpiredLeases(sql));
    await noSeqScan((sql) => tasksToMirror(sql, {}));
  });

  it("the operator's queue views", async () => {
    await noSeqScan((sql) => listQueue(sql, undefined, 50));
    await noSeqScan((sql) => listQueue(sql, 'failed', 50));
    await noSeqScan((sql) => lastErrors(sql, 20));
    await noSeqScan((sql) => queueDepth(sql));
  });
});
