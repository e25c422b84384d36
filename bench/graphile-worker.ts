/**
 * A graphile-worker process for bench/executor.ts: the second comparison. Same work per job as the executor's test
 * processor (one insert into executor_test_runs, keyed by the id the bench put in the payload), same concurrency
 * (BATCH_SIZE jobs at once per process). graphile-worker runs as it ships: its own LISTEN/NOTIFY wake-up, its
 * batched job fetch and completion; its schema is installed by the bench before the processes start.
 */
import { Logger, run } from 'graphile-worker';
import postgres from 'postgres';

const env = process.env;
const worker = env.WORKER_ID ?? `graphile-${process.pid}`;
const sql = postgres(env.DATABASE_URL!, { max: 2, onnotice: () => undefined });
const quiet = new Logger(() => (level, message) => {
  if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
});
const runner = await run({
  connectionString: env.DATABASE_URL!,
  concurrency: Number(env.BATCH_SIZE ?? 10),
  pollInterval: 500,
  noHandleSignals: true,
  logger: quiet,
  taskList: {
    bench: async (payload) => {
      const { id, queuedAt } = payload as { id: string; queuedAt: number };
      await sql`INSERT INTO executor_test_runs (task_id, worker, attempt, latency_ms) VALUES (${id}, ${worker}, 1, ${Date.now() - queuedAt})`;
    },
  },
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    await runner.stop();
    await sql.end({ timeout: 5 });
    process.exit(0);
  })();
});
