/**
 * A pg-boss worker process for bench/executor.ts: the comparison. Same work per job as the executor's test
 * processor (one insert into executor_test_runs), same concurrency (batches of BATCH_SIZE per process).
 */
import PgBoss from 'pg-boss';
import postgres from 'postgres';

const env = process.env;
const worker = env.WORKER_ID ?? `boss-${process.pid}`;
const sql = postgres(env.DATABASE_URL!, { max: 2, onnotice: () => undefined });
const boss = new PgBoss({ connectionString: env.DATABASE_URL!, schema: 'pgboss', max: 4, supervise: false, schedule: false });
boss.on('error', (err) => process.stderr.write(`pg-boss error: ${err.message}\n`));
await boss.start();
await boss.work<{ queuedAt: number }>('bench', { batchSize: Number(env.BATCH_SIZE ?? 10), pollingIntervalSeconds: 0.5 }, async (jobs) => {
  await Promise.all(
    jobs.map((job) => sql`INSERT INTO executor_test_runs (task_id, worker, attempt, latency_ms) VALUES (${job.id}, ${worker}, 1, ${Date.now() - job.data.queuedAt})`),
  );
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    await sql.end({ timeout: 5 });
    process.exit(0);
  })();
});
