/**
 * `npm run bench:executor-statements`: where one no-op AI task's time goes on the executor's hot path. One executor in
 * this process drains BENCH_TASKS tasks (default 1,000; batches of 10) on a fresh database while every statement it
 * sends is counted (postgres.js's debug hook), then prints the statements per task by kind, the rows the hot path
 * updated (and how many of those updates were HOT), and the index entries the updates wrote. Not a timed test: a
 * measurement for docs/performance.md.
 */
import { Executor } from '../service/src/executor/executor.ts';
import { createLogger } from '../service/src/log.ts';
import { freshDatabase } from '../testkit/database.ts';
import { insertAiTasks, seedPlan, testExecutorOptions } from '../testkit/executor/fixtures.ts';
import { createRunsTable, testRegistry, testServices } from '../testkit/executor/test-registry.ts';

const N = Number(process.env.BENCH_TASKS ?? 1_000);
const statements: string[] = [];
let counting = false;
const db = await freshDatabase({ poolMax: 4, onQuery: (q) => void (counting && statements.push(q)) });
const sql = db.sql;
try {
  await createRunsTable(sql);
  const plan = await seedPlan(sql);
  await insertAiTasks(
    sql,
    plan,
    Array.from({ length: N }, () => ({ processor: 'test-recorder', metadata: {} })),
  );
  const [before] = await sql<{ upd: number; hot: number }[]>`
    SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'workflow_tasks'`;
  const log = createLogger('silent');
  const executor = new Executor({
    db: { sql },
    registry: testRegistry('stmt-1', sql),
    services: testServices(sql, log),
    options: testExecutorOptions('stmt-1', { batchSize: 10 }),
  });
  counting = true;
  await executor.start();
  for (;;) {
    const [r] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM workflow_tasks WHERE execution_status = 'success'`;
    if (r!.n >= N) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  await executor.stop();
  counting = false;
  // The statistics collector flushes when a backend goes idle.
  await new Promise((res) => setTimeout(res, 1_500));
  const [after] = await sql<{ upd: number; hot: number }[]>`
    SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'workflow_tasks'`;
  const kinds = new Map<string, number>();
  for (const q of statements) {
    const s = q.replace(/\s+/g, ' ').trim();
    if (s.startsWith('SELECT count(*)::int AS n FROM workflow_tasks')) continue; // this script's own polling
    const k = /^(begin|commit|rollback)/i.test(s)
      ? s.split(' ')[0]!.toUpperCase()
      : s.includes('FOR UPDATE SKIP LOCKED') && s.startsWith('UPDATE workflow_tasks')
        ? 'claim (UPDATE … SKIP LOCKED)'
        : s.includes("execution_status = 'success'") && s.startsWith('WITH input')
          ? 'completion (UPDATE + notifications)'
          : s.includes('FROM task_dependencies WHERE prerequisite_id')
            ? 'unblock check (SELECT dependents FOR UPDATE)'
            : s.startsWith('INSERT INTO executor_test_runs')
              ? "the processor's own work (INSERT)"
              : s.slice(0, 70);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const total = [...kinds.values()].reduce((a, b) => a + b, 0);
  console.log(`bench:executor-statements — ${N} no-op tasks, one executor, batches of 10`);
  for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1]))
    console.log(`${(n / N).toFixed(3).padStart(7)} per task  ${String(n).padStart(6)}  ${k}`);
  console.log(`${(total / N).toFixed(3).padStart(7)} per task  ${String(total).padStart(6)}  total`);
  const idx = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'workflow_tasks'`;
  console.log(
    `workflow_tasks rows updated: ${(after!.upd - before!.upd) / N} per task, of which HOT ${(after!.hot - before!.hot) / N}; ${idx[0]!.n} indexes on the table`,
  );
} finally {
  await db.drop();
}
