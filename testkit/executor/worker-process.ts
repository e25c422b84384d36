/**
 * A separate executor process for the multi-process tests and the bench: a real Executor against DATABASE_URL
 * with the test processors. Stops gracefully on SIGTERM (like the service) and prints "ready" once listening.
 */
import postgres from 'postgres';
import { Executor } from '../../service/src/executor/executor.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { createLogger } from '../../service/src/log.ts';
import { testRegistry, testServices } from './test-registry.ts';

const env = process.env;
const worker = env.WORKER_ID ?? `worker-${process.pid}`;
const sql = postgres(env.DATABASE_URL!, {
  max: Number(env.POOL_MAX ?? 4),
  onnotice: () => undefined,
  transform: { undefined: null },
}) as Sql;
const log = createLogger((env.LOG_LEVEL as 'info') ?? 'warn', (line) => process.stderr.write(line + '\n'));
const executor = new Executor({
  db: { sql },
  registry: testRegistry(worker, sql),
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
  await sql.end({ timeout: 5 });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
