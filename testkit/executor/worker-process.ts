/**
 * A separate executor process for the multi-process tests and the bench: a real Executor against DATABASE_URL
 * with the test processors. Stops gracefully on SIGTERM (like the service) and prints "ready" once listening.
 * Set up as production sets up an executor (service/src/server.ts, scripts/executor.ts): tracing on when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (one span per AI task run, the trace id in every log line), and the service's logger.
 * LOG_LEVEL defaults to warn (the tests); LOG_TO=stdout writes the lines where and as production writes them (stdout,
 * a write per turn of the event loop) instead of stderr — the bench runs at production's default level, info, that way.
 */
import postgres from 'postgres';
import { Executor } from '../../service/src/executor/executor.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { createLogger } from '../../service/src/log.ts';
import { installTracing } from '../../service/src/tracing.ts';
import { testRegistry, testServices } from './test-registry.ts';

const env = process.env;
const worker = env.WORKER_ID ?? `worker-${process.pid}`;
const pool = (max: number) => postgres(env.DATABASE_URL!, { max, onnotice: () => undefined, transform: { undefined: null } }) as Sql;
const sql = pool(Number(env.POOL_MAX ?? 4));
/**
 * The test processor's own writes (its one insert per run) go through a pool of their own, of 2 connections: the shape
 * the bench's peers record their runs with (bench/pgboss-worker.ts, bench/graphile-worker.ts), so every side's work
 * costs the same. On the executor's pool of 4 the inserts of a batch spread over every idle connection, a socket write
 * and a backend wake-up each, where the peers' go in two.
 */
const workSql = pool(2);
installTracing({ otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
const level = (env.LOG_LEVEL as 'info' | undefined) ?? 'warn';
const log = env.LOG_TO === 'stdout' ? createLogger(level) : createLogger(level, (line) => process.stderr.write(line + '\n'));
const executor = new Executor({
  db: { sql },
  registry: testRegistry(worker, workSql),
  services: testServices(sql, log),
  options: {
    workerId: worker,
    batchSize: Number(env.BATCH_SIZE ?? 10),
    leaseMs: Number(env.LEASE_MS ?? 300_000),
    maxAttempts: 3,
    retryDelayMs: Number(env.RETRY_DELAY_MS ?? 300_000),
    taskTimeoutMs: 3_600_000,
    cron: '*/5 * * * *',
    sweepMs: Number(env.SWEEP_MS ?? 30_000),
    shutdownTimeoutMs: Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000),
  },
});
await executor.start();
process.stdout.write('ready\n');

const stop = async () => {
  const result = await executor.stop();
  process.stdout.write(`stopped ${JSON.stringify(result)}\n`);
  await Promise.all([sql.end({ timeout: 5 }), workSql.end({ timeout: 5 })]);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
