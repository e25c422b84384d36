/**
 * `npm run bench:executor`: N no-op AI tasks (default 10,000; BENCH_TASKS) drained by 4 executor processes, and in
 * the same run, on the same PostgreSQL, with the same concurrency (4 processes × batches of 10), N no-op jobs through
 * pg-boss. Both do the same work per item (one insert recording the run). Prints tasks/s for both, the ratio,
 * duplicates, and the wake-up latency (queued → started) p50/p95 measured on small bursts sent to idle workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import PgBoss from 'pg-boss';
import { freshDatabase } from '../testkit/database.ts';
import { insertAiTasks, seedPlan } from '../testkit/executor/fixtures.ts';
import { createRunsTable } from '../testkit/executor/test-registry.ts';

const N = Number(process.env.BENCH_TASKS ?? 10_000);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 10);
const BURSTS = 100;
const BURST_SIZE = 5;
const root = new URL('../', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const db = await freshDatabase({ poolMax: 4 });
const sql = db.sql;
await createRunsTable(sql);
const plan = await seedPlan(sql);

async function startProcesses(script: string, prefix: string, extraEnv: Record<string, string> = {}): Promise<ChildProcess[]> {
  const children = Array.from({ length: PROCESSES }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        WORKER_ID: `${prefix}-${i + 1}`,
        BATCH_SIZE: String(BATCH),
        LOG_LEVEL: 'warn',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          c.stdout!.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolve());
          c.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
        }),
    ),
  );
  return children;
}

async function stopProcesses(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

async function waitFor(what: () => Promise<number>, target: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await what()) < target) {
    if (Date.now() > deadline) throw new Error('bench timed out');
    await sleep(20);
  }
}

const runsOf = async (prefix: string) =>
  (
    await sql<
      { n: number; distinct: number }[]
    >`SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS distinct FROM executor_test_runs WHERE worker LIKE ${`${prefix}-%`}`
  )[0]!;
const latencies = async (prefix: string, since: Date) =>
  (
    await sql<
      { ms: number }[]
    >`SELECT latency_ms AS ms FROM executor_test_runs WHERE worker LIKE ${`${prefix}-%`} AND started_at >= ${since} ORDER BY latency_ms`
  ).map((r) => r.ms);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Result {
  tasksPerSecond: number;
  duplicates: number;
  p50: number;
  p95: number;
}

async function benchExecutor(): Promise<Result> {
  const workers = await startProcesses('testkit/executor/worker-process.ts', 'exec');
  const success = async () =>
    (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM workflow_tasks WHERE execution_status = 'success'`)[0]!.n;
  const started = performance.now();
  // One transaction, as a finalize is: one commit, one notification.
  await sql.begin(async (tx) => {
    await insertAiTasks(
      tx as never,
      plan,
      Array.from({ length: N }, () => ({ processor: 'test-recorder', metadata: { queuedAt: Date.now() } })),
    );
  });
  await waitFor(success, N);
  const seconds = (performance.now() - started) / 1000;
  const since = new Date();
  for (let i = 0; i < BURSTS; i++) {
    await insertAiTasks(
      sql,
      plan,
      Array.from({ length: BURST_SIZE }, () => ({ processor: 'test-recorder', metadata: { queuedAt: Date.now() } })),
    );
    await sleep(30);
  }
  await waitFor(success, N + BURSTS * BURST_SIZE);
  const lat = await latencies('exec', since);
  await stopProcesses(workers);
  const runs = await runsOf('exec');
  return { tasksPerSecond: N / seconds, duplicates: runs.n - runs.distinct, p50: pct(lat, 50), p95: pct(lat, 95) };
}

async function benchPgBoss(mode: 'work' | 'fetch-loop'): Promise<Result> {
  const prefix = `boss-${mode}`;
  const boss = new PgBoss({ connectionString: db.url, schema: 'pgboss', max: 4, supervise: false, schedule: false });
  boss.on('error', (err) => console.error(`pg-boss error: ${err.message}`));
  await boss.start();
  await boss.createQueue('bench');
  await sql`DELETE FROM pgboss.job WHERE name = 'bench'`;
  const workers = await startProcesses('bench/pgboss-worker.ts', prefix, { BOSS_MODE: mode });
  const completed = async () =>
    (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'bench' AND state = 'completed'`)[0]!.n;
  const started = performance.now();
  for (let i = 0; i < N; i += 1000) {
    await boss.insert(Array.from({ length: Math.min(1000, N - i) }, () => ({ name: 'bench', data: { queuedAt: Date.now() } })));
  }
  await waitFor(completed, N);
  const seconds = (performance.now() - started) / 1000;
  const since = new Date();
  for (let i = 0; i < BURSTS; i++) {
    await boss.insert(Array.from({ length: BURST_SIZE }, () => ({ name: 'bench', data: { queuedAt: Date.now() } })));
    await sleep(30);
  }
  await waitFor(completed, N + BURSTS * BURST_SIZE);
  const lat = await latencies(prefix, since);
  await stopProcesses(workers);
  await boss.stop({ graceful: false, wait: true });
  const runs = await runsOf(prefix);
  return { tasksPerSecond: N / seconds, duplicates: runs.n - runs.distinct, p50: pct(lat, 50), p95: pct(lat, 95) };
}

try {
  console.log(`bench:executor — ${N} no-op tasks, ${PROCESSES} processes × batches of ${BATCH}, PostgreSQL at ${new URL(db.url).host}`);
  const ours = await benchExecutor();
  const boss = await benchPgBoss('fetch-loop');
  const bossWork = await benchPgBoss('work');
  const row = (name: string, r: Result) =>
    `${name.padEnd(22)} ${r.tasksPerSecond.toFixed(0).padStart(8)} tasks/s   duplicates ${String(r.duplicates).padStart(3)}   wake-up p50 ${r.p50.toFixed(0).padStart(4)} ms  p95 ${r.p95.toFixed(0).padStart(4)} ms`;
  console.log(row('executor (this repo)', ours));
  console.log(row('pg-boss 10 fetch loop', boss));
  console.log(row('pg-boss 10 work()', bossWork));
  const ratio = ours.tasksPerSecond / boss.tasksPerSecond;
  console.log(
    `ratio executor / pg-boss fetch loop: ${ratio.toFixed(2)} (target ≥ 1.0; against work(): ${(ours.tasksPerSecond / bossWork.tasksPerSecond).toFixed(2)})   executor wake-up p95 ${ours.p95.toFixed(0)} ms (target ≤ 250 ms)`,
  );
  const ok = ratio >= 1 && ours.p95 <= 250 && ours.duplicates === 0 && boss.duplicates === 0 && bossWork.duplicates === 0;
  console.log(ok ? 'targets met' : 'TARGETS NOT MET');
  console.log(
    'note: the ratio is against pg-boss driven at its fastest (fetch again at once while jobs come back, 0.5 s poll when empty). ' +
      "pg-boss's own work() waits its polling interval (at least 0.5 s) between fetches, so it drains about processes × batch / 0.5 s " +
      'and its wake-up figures include queueing. The executor re-claims as soon as a slot frees and is woken by NOTIFY.',
  );
  process.exitCode = ours.duplicates === 0 ? 0 : 1;
} finally {
  await db.drop();
}
