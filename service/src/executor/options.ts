import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Env } from '../config.ts';

/** How an executor claims and runs tasks; `executorOptions(env)` reads them from the configuration. */
export interface ExecutorOptions {
  /** Names this worker in `claimed_by` and the logs. */
  workerId: string;
  /** Tasks claimed per statement, and the most running at once in this worker. */
  batchSize: number;
  leaseMs: number;
  /** Attempts before a task fails for good. */
  maxAttempts: number;
  /** Base delay before a retry; the actual delay is ±20% of it (jitter, so retries of a batch spread out). */
  retryDelayMs: number;
  /** A processor running longer than this counts as a failed attempt. */
  taskTimeoutMs: number;
  /** node-cron expression of the guaranteed-progress tick. */
  cron: string;
  /** How often expired leases are recovered. */
  sweepMs: number;
  /** How long a stopping executor waits for running tasks before it releases them. */
  shutdownTimeoutMs: number;
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function executorOptions(env: Env, workerId = defaultWorkerId()): ExecutorOptions {
  return {
    workerId,
    batchSize: env.EXECUTOR_BATCH_SIZE,
    leaseMs: env.EXECUTOR_LEASE_SECONDS * 1000,
    maxAttempts: env.EXECUTOR_MAX_ATTEMPTS,
    retryDelayMs: env.EXECUTOR_RETRY_DELAY_SECONDS * 1000,
    taskTimeoutMs: env.EXECUTOR_TASK_TIMEOUT_SECONDS * 1000,
    cron: env.EXECUTOR_CRON,
    sweepMs: env.EXECUTOR_SWEEP_SECONDS * 1000,
    shutdownTimeoutMs: env.EXECUTOR_SHUTDOWN_TIMEOUT_SECONDS * 1000,
  };
}
