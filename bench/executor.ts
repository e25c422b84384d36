/**
 * `npm run bench:executor`: N no-op AI tasks (default 10,000; BENCH_TASKS) drained by 4 executor processes, and in
 * the same run, on the same PostgreSQL, with the same concurrency (4 processes × 10 at once), N no-op jobs through
 * pg-boss's fetch loop and N through graphile-worker. Every side does the same work per item (one insert recording
 * the run) and is given its items the same way (after the clock starts, in statements of 1,000, each its own
 * transaction). The sides take turns over
 * BENCH_ROUNDS rounds (default 3; the side that goes first rotates) in this one process, so a load spike on the shared
 * machine hits all of them rather than deciding the verdict: it prints each side's median and range, the ratio of
 * medians against each peer, the load average before and after (with a warning above the number of cores),
 * duplicates, the wake-up latency (queued → started) p50/p95 over small bursts sent to idle workers, and the row
 * updates (HOT or not) of workflow_tasks and task_queue. BENCH_BOSS_WORK=1 adds pg-boss's own polling work() (slow by
 * design: it waits its polling interval between fetches).
 *
 * The executor's processes run as production runs an executor by default: tracing off (no OTLP endpoint:
 * service/src/tracing.ts installs nothing; BENCH_TRACING=1 turns it on, exporting a span per AI task run in batches to
 * a local sink that drops them) and the service's logger at its default level, info, writing to stdout as production does
 * (a synchronous write per turn of the event loop; this process drains the pipe).
 * graphile-worker's processes keep their logger quiet (errors only; as shipped it logs a line per completed job), so
 * the comparison errs against the executor. Each side also prints the CPU time per task of the timed drain (Linux,
 * from /proc): its worker processes, the PostgreSQL backends serving the bench's database (not another session's) and
 * this process — the figure a busy machine moves least. BENCH_CPU_PROF=<dir> profiles the executor's
 * processes (node --cpu-prof).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Logger, makeWorkerUtils, runMigrations } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { freshDatabase } from '../testkit/database.ts';
import { insertAiTasks, seedPlan } from '../testkit/executor/fixtures.ts';
import { createRunsTable } from '../testkit/executor/test-registry.ts';
import { databaseCpu, loadReport, median, otlpSink, processCpuMicros } from '../testkit/bench-stats.ts';

const N = Number(process.env.BENCH_TASKS ?? 10_000);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const BURSTS = Math.ceil(100 / ROUNDS);
const BURST_SIZE = 5;
const root = new URL('../', import.meta.url).pathname;
const tracingEndpoint = process.env.BENCH_TRACING === '1' ? await otlpSink() : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const db = await freshDatabase({ poolMax: 4 });
const sql = db.sql;
// The PostgreSQL backends serving this bench's database (every side's connections), not another session's.
const postgresCpu = databaseCpu(new URL(db.url).pathname.slice(1));
await createRunsTable(sql);
const plan = await seedPlan(sql);

async function startProcesses(
  script: string,
  prefix: string,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ChildProcess[]> {
  const children = Array.from({ length: PROCESSES }, (_, i) =>
    spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
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

/** CPU time (ms) spent per task during the timed drain: the side's worker processes, PostgreSQL, this process. */
interface Cpu {
  workers: number;
  postgres: number;
  bench: number;
}

interface Result {
  tasksPerSecond: number;
  duplicates: number;
  p50: number;
  p95: number;
  cpu: Cpu;
}

/** The CPU (ms per task) used from now until the returned function is called (see `Cpu`). */
function cpuClock(children: ChildProcess[]): () => Cpu {
  const workers = () => children.reduce((n, c) => n + processCpuMicros(c.pid!), 0) / 1000;
  const bench = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  const start = { workers: workers(), postgres: postgresCpu.reading(), bench: bench() };
  return () => ({
    workers: (workers() - start.workers) / N,
    postgres: postgresCpu.since(start.postgres) / 1000 / N,
    bench: (bench() - start.bench) / N,
  });
}

async function benchExecutor(): Promise<Result> {
  // Set up as production runs an executor: tracing as configured (worker-process.ts: on with an OTLP endpoint) and the
  // service's logger at its default level (info: a line per run), to stdout, which this process drains.
  // BENCH_CPU_PROF=<dir> writes a CPU profile of each executor process there (node --cpu-prof).
  const workers = await startProcesses(
    'testkit/executor/worker-process.ts',
    'exec',
    { LOG_LEVEL: 'info', LOG_TO: 'stdout', ...(tracingEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: tracingEndpoint } : {}) },
    process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [],
  );
  const success = async () =>
    (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM workflow_tasks WHERE execution_status = 'success'`)[0]!.n;
  const base = await success();
  const left = async () => -(await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM task_queue`)[0]!.n;
  const cpu = cpuClock(workers);
  const started = performance.now();
  // Given its tasks as the peers are given their jobs: statements of 1,000, each its own transaction (a finalize of
  // 1,000 tasks: one commit, one notification), so the workers start on the first 1,000 while the rest go in. (Until
  // 2026-12-07 the executor's 10,000 went in one transaction: its workers idled until all were in, the peers' did not.)
  for (let i = 0; i < N; i += 1000) {
    await insertAiTasks(
      sql,
      plan,
      Array.from({ length: Math.min(1000, N - i) }, () => ({ processor: 'test-recorder', metadata: { queuedAt: Date.now() } })),
    );
  }
  // Progress is read as graphile-worker's is: what is left of the queue (task_queue holds only queued and running tasks;
  // a success leaves it in the statement that records it). Counting the successes instead read every finished task of
  // every earlier round (a sequential scan of workflow_tasks, 6–8 ms at 30,000 rows, every 20 ms during the drain).
  await waitFor(left, 0);
  const seconds = (performance.now() - started) / 1000;
  const used = cpu();
  if ((await success()) !== base + N) throw new Error('the executor drained its queue without recording every success');
  const since = new Date();
  for (let i = 0; i < BURSTS; i++) {
    await insertAiTasks(
      sql,
      plan,
      Array.from({ length: BURST_SIZE }, () => ({ processor: 'test-recorder', metadata: { queuedAt: Date.now() } })),
    );
    await sleep(30);
  }
  await waitFor(success, base + N + BURSTS * BURST_SIZE);
  const lat = await latencies('exec', since);
  await stopProcesses(workers);
  const runs = await runsOf('exec');
  await sql`DELETE FROM executor_test_runs WHERE worker LIKE 'exec-%'`;
  return { tasksPerSecond: N / seconds, duplicates: runs.n - runs.distinct, p50: pct(lat, 50), p95: pct(lat, 95), cpu: used };
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
  const cpu = cpuClock(workers);
  const started = performance.now();
  for (let i = 0; i < N; i += 1000) {
    await boss.insert(Array.from({ length: Math.min(1000, N - i) }, () => ({ name: 'bench', data: { queuedAt: Date.now() } })));
  }
  await waitFor(completed, N);
  const seconds = (performance.now() - started) / 1000;
  const used = cpu();
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
  await sql`DELETE FROM executor_test_runs WHERE worker LIKE ${`${prefix}-%`}`;
  return { tasksPerSecond: N / seconds, duplicates: runs.n - runs.distinct, p50: pct(lat, 50), p95: pct(lat, 95), cpu: used };
}

const graphileLogger = new Logger(() => (level, message) => void (level === 'error' && console.error(`graphile-worker: ${message}`)));
await runMigrations({ connectionString: db.url, logger: graphileLogger });
const graphileUtils = await makeWorkerUtils({ connectionString: db.url, logger: graphileLogger });

async function benchGraphileWorker(): Promise<Result> {
  const prefix = 'graphile';
  const workers = await startProcesses('bench/graphile-worker.ts', prefix);
  // graphile-worker deletes a job when it completes: what is left in its table is what is not done.
  const left = async () => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker.jobs`)[0]!.n;
  const add = (n: number) =>
    graphileUtils.addJobs(Array.from({ length: n }, () => ({ identifier: 'bench', payload: { id: randomUUID(), queuedAt: Date.now() } })));
  const cpu = cpuClock(workers);
  const started = performance.now();
  for (let i = 0; i < N; i += 1000) await add(Math.min(1000, N - i));
  await waitFor(async () => -(await left()), 0);
  const seconds = (performance.now() - started) / 1000;
  const used = cpu();
  const since = new Date();
  for (let i = 0; i < BURSTS; i++) {
    await add(BURST_SIZE);
    await sleep(30);
  }
  await waitFor(async () => -(await left()), 0);
  const lat = await latencies(prefix, since);
  await stopProcesses(workers);
  const runs = await runsOf(prefix);
  await sql`DELETE FROM executor_test_runs WHERE worker LIKE ${`${prefix}-%`}`;
  return { tasksPerSecond: N / seconds, duplicates: runs.n - runs.distinct, p50: pct(lat, 50), p95: pct(lat, 95), cpu: used };
}

/** Row updates (how many HOT: no index entry written) and index scans of the executor's two tables during the run. */
async function tableReport(): Promise<string[]> {
  // The statistics collector flushes when a backend goes idle; give it a moment.
  await sleep(1_000);
  const lines = [];
  for (const table of ['task_queue', 'workflow_tasks']) {
    const [t] = await sql<{ upd: number; hot: number; ins: number; del: number }[]>`
      SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot, n_tup_ins::int AS ins, n_tup_del::int AS del
        FROM pg_stat_user_tables WHERE relname = ${table}`;
    const idx = await sql<{ name: string; scans: number }[]>`
      SELECT indexrelname AS name, idx_scan::int AS scans FROM pg_stat_user_indexes WHERE relname = ${table} ORDER BY idx_scan DESC, indexrelname`;
    lines.push(
      `${table}: ${t?.ins ?? 0} inserts, ${t?.upd ?? 0} row updates (${t?.hot ?? 0} HOT), ${t?.del ?? 0} deletes; ${idx.length} indexes, scans: ${idx
        .filter((i) => i.scans > 0)
        .map((i) => `${i.name} ${i.scans}`)
        .join(', ')}`,
    );
  }
  return lines;
}

try {
  console.log(
    `bench:executor — ${N} no-op tasks, ${PROCESSES} processes × ${BATCH} at once, ${ROUNDS} interleaved rounds (executor, pg-boss, graphile-worker), PostgreSQL at ${new URL(db.url).host}; ` +
      `executor tracing ${tracingEndpoint ? 'on (OTLP batches to a local sink)' : 'off (the default: no OTLP endpoint)'}`,
  );
  const loadAverage = loadReport();
  const ours: Result[] = [];
  const boss: Result[] = [];
  const graphile: Result[] = [];
  const bossWork: Result[] = [];
  const sides = ['exec', 'boss', 'graphile'] as const;
  for (let round = 1; round <= ROUNDS; round++) {
    // Rotate which side goes first, so none always meets a warmer (or busier) machine.
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(round - 1 + k) % sides.length]!;
      if (side === 'exec') ours.push(await benchExecutor());
      else if (side === 'boss') boss.push(await benchPgBoss('fetch-loop'));
      else graphile.push(await benchGraphileWorker());
    }
    if (process.env.BENCH_BOSS_WORK === '1') bossWork.push(await benchPgBoss('work'));
    console.log(
      `round ${round}: executor ${ours.at(-1)!.tasksPerSecond.toFixed(0)}/s, pg-boss fetch loop ${boss.at(-1)!.tasksPerSecond.toFixed(0)}/s, ` +
        `graphile-worker ${graphile.at(-1)!.tasksPerSecond.toFixed(0)}/s   load ${loadAverage.current()}`,
    );
  }
  const row = (name: string, rs: Result[]) => {
    const rates = rs.map((r) => r.tasksPerSecond);
    const p95s = rs.map((r) => r.p95);
    const cpu = (k: keyof Cpu) => median(rs.map((r) => r.cpu[k] * 1000)).toFixed(0);
    return `${name.padEnd(24)} median ${median(rates).toFixed(0).padStart(6)} tasks/s (range ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)})   duplicates ${String(rs.reduce((n, r) => n + r.duplicates, 0)).padStart(3)}   wake-up p50 ${median(
      rs.map((r) => r.p50),
    )
      .toFixed(0)
      .padStart(
        4,
      )} ms  p95 ${median(p95s).toFixed(0).padStart(4)} ms (worst ${Math.max(...p95s).toFixed(0)})   CPU µs/task: workers ${cpu('workers')}, PostgreSQL ${cpu('postgres')}, bench ${cpu('bench')}`;
  };
  console.log(row('executor (this repo)', ours));
  console.log(row('pg-boss 10 fetch loop', boss));
  console.log(row('graphile-worker 0.17', graphile));
  if (bossWork.length) console.log(row('pg-boss 10 work()', bossWork));
  const ourMedian = median(ours.map((r) => r.tasksPerSecond));
  const ratioBoss = ourMedian / median(boss.map((r) => r.tasksPerSecond));
  const ratioGraphile = ourMedian / median(graphile.map((r) => r.tasksPerSecond));
  const p95 = median(ours.map((r) => r.p95));
  console.log(
    `ratio of medians: executor / pg-boss fetch loop ${ratioBoss.toFixed(2)}, executor / graphile-worker ${ratioGraphile.toFixed(2)} ` +
      `(target ≥ 1.0 against both)   executor wake-up p95 median ${p95.toFixed(0)} ms (target ≤ 250 ms)`,
  );
  for (const line of loadAverage.lines()) console.log(line);
  for (const line of await tableReport()) console.log(line);
  const duplicates = [...ours, ...boss, ...graphile, ...bossWork].reduce((n, r) => n + r.duplicates, 0);
  const ok = ratioBoss >= 1 && ratioGraphile >= 1 && p95 <= 250 && duplicates === 0;
  console.log(ok ? 'targets met' : 'TARGETS NOT MET');
  console.log(
    'note: pg-boss is driven at its fastest (fetch again at once while jobs come back, 0.5 s poll when empty); graphile-worker ' +
      'runs as it ships (LISTEN/NOTIFY, batched fetch and completion). The executor claims its next tasks in the statement that completes its finished ones (and on its own as soon as half its slots free), and is woken by NOTIFY.',
  );
  process.exitCode = ours.every((r) => r.duplicates === 0) ? 0 : 1;
} finally {
  await graphileUtils.release();
  await db.drop();
}
