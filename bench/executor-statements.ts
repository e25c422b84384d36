/**
 * `npm run bench:executor-statements`: where one no-op AI task's time goes on the executor's hot path. One executor in
 * this process drains BENCH_TASKS tasks (default 1,000; batches of 10) on a fresh database while every statement it
 * sends is counted (postgres.js's debug hook), then prints the statements per task by kind, and per table (the narrow
 * task_queue and the wide workflow_tasks) the rows the hot path inserted, updated (and how many of those updates were
 * HOT) and deleted, and its indexes. Not a timed test: a measurement for docs/performance.md.
 */
import { Executor } from '../service/src/executor/executor.ts';
import { createLogger } from '../service/src/log.ts';
import { freshDatabase } from '../testkit/database.ts';
import { insertAiTasks, seedPlan, testExecutorOptions } from '../testkit/executor/fixtures.ts';
import { createRunsTable, testRegistry, testServices } from '../testkit/executor/test-registry.ts';

const N = Number(process.env.BENCH_TASKS ?? 1_000);

interface Stats {
  ins: number;
  upd: number;
  hot: number;
  del: number;
  indexes: number;
}
/** Row counters of the executor's two tables (the statistics collector's, flushed when a backend goes idle). */
async function tableStats(): Promise<Record<'task_queue' | 'workflow_tasks', Stats>> {
  const rows = await sql<({ table: 'task_queue' | 'workflow_tasks' } & Stats)[]>`
    SELECT relname AS table, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot, n_tup_del::int AS del,
           (SELECT count(*)::int FROM pg_indexes i WHERE i.tablename = s.relname) AS indexes
      FROM pg_stat_user_tables s WHERE relname IN ('task_queue', 'workflow_tasks')`;
  const of = (table: string) => rows.find((r) => r.table === table) ?? { ins: 0, upd: 0, hot: 0, del: 0, indexes: 0 };
  return { task_queue: of('task_queue'), workflow_tasks: of('workflow_tasks') };
}
const statements: string[] = [];
let counting = false;
const db = await freshDatabase({ poolMax: 4, onQuery: (q) => void (counting && statements.push(q)) });
const sql = db.sql;
try {
  await createRunsTable(sql);
  const plan = await seedPlan(sql);
  // The rows' whole life: queued (the insert), claimed, completed.
  await new Promise((res) => setTimeout(res, 1_500));
  const before = await tableStats();
  await insertAiTasks(
    sql,
    plan,
    Array.from({ length: N }, () => ({ processor: 'test-recorder', metadata: {} })),
  );

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
  // An idle backend flushes its statistics within 10 s (PostgreSQL 15's PGSTAT_IDLE_INTERVAL).
  await new Promise((res) => setTimeout(res, 11_000));
  const after = await tableStats();
  const kinds = new Map<string, number>();
  for (const q of statements) {
    const s = q.replace(/\s+/g, ' ').trim();
    if (s.startsWith('SELECT count(*)::int AS n FROM workflow_tasks')) continue; // this script's own polling
    const k = /^(begin|commit|rollback)/i.test(s)
      ? s.split(' ')[0]!.toUpperCase()
      : s.includes('FOR UPDATE SKIP LOCKED') && s.startsWith('WITH c AS ( UPDATE task_queue')
        ? 'claim (UPDATE task_queue … SKIP LOCKED, reads the task)'
        : s.includes("execution_status = 'success'") && s.startsWith('WITH input')
          ? s.includes('FOR UPDATE SKIP LOCKED')
            ? 'completion and the next claim (DELETE task_queue + UPDATE workflow_tasks + notifications; UPDATE task_queue … SKIP LOCKED)'
            : 'completion (DELETE task_queue + UPDATE workflow_tasks + notifications)'
          : s.startsWith('UPDATE task_queue SET locked_until')
            ? 'lease renewal (UPDATE task_queue)'
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
  for (const table of ['task_queue', 'workflow_tasks'] as const) {
    const d = (k: keyof Stats) => ((after[table][k] - before[table][k]) / N).toFixed(2);
    console.log(
      `${table}: per task ${d('ins')} inserted, ${d('upd')} updated (${d('hot')} HOT), ${d('del')} deleted; ${after[table].indexes} indexes`,
    );
  }
} finally {
  await db.drop();
}
