/**
 * A pg-boss worker process for bench/executor.ts: the comparison. Same work per job as the executor's test
 * processor (one insert into executor_test_runs), same concurrency (batches of BATCH_SIZE per process). BOSS_MODE
 * `work` uses pg-boss's own polling worker; `fetch-loop` drives fetch/complete in a tight loop (its best case).
 */
import PgBoss from 'pg-boss';
import postgres from 'postgres';

const env = process.env;
const worker = env.WORKER_ID ?? `boss-${process.pid}`;
const sql = postgres(env.DATABASE_URL!, { max: 2, onnotice: () => undefined });
const boss = new PgBoss({ connectionString: env.DATABASE_URL!, schema: 'pgboss', max: 4, supervise: false, schedule: false });
boss.on('error', (err) => process.stderr.write(`pg-boss error: ${err.message}\n`));
await boss.start();
const batchSize = Number(env.BATCH_SIZE ?? 10);
const record = (jobs: PgBoss.Job<{ queuedAt: number }>[]) =>
  Promise.all(
    jobs.map(
      (job) =>
        sql`INSERT INTO executor_test_runs (task_id, worker, attempt, latency_ms) VALUES (${job.id}, ${worker}, 1, ${Date.now() - job.data.queuedAt})`,
    ),
  );
let stopping = false;
let loop: Promise<void> = Promise.resolve();
if (env.BOSS_MODE === 'fetch-loop') {
  // pg-boss at its fastest: fetch again at once while jobs come back, wait 0.5 s only when the queue is empty —
  // the executor's own claim discipline, minus NOTIFY (which pg-boss does not use).
  loop = (async () => {
    while (!stopping) {
      const jobs = await boss.fetch<{ queuedAt: number }>('bench', { batchSize });
      if (jobs.length === 0) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      await record(jobs);
      await boss.complete(
        'bench',
        jobs.map((j) => j.id),
      );
    }
  })();
} else {
  await boss.work<{ queuedAt: number }>('bench', { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => void (await record(jobs)));
}
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    stopping = true;
    await loop;
    await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    await sql.end({ timeout: 5 });
    process.exit(0);
  })();
});
