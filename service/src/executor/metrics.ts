import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The executor's Prometheus metrics, in a registry of their own (not the global one, so several executors in one
 * test process do not collide). Queue depth is read from the database at scrape time (see routes/metrics.ts).
 */
export class ExecutorMetrics {
  readonly registry = new Registry();
  readonly runs = new Counter({
    name: 'rap_ai_task_runs_total',
    help: 'AI task runs by processor and outcome',
    labelNames: ['processor', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'rap_ai_task_failures_total',
    help: 'AI task failures by processor and whether final',
    labelNames: ['processor', 'final'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'rap_ai_task_duration_seconds',
    help: 'How long processors ran',
    labelNames: ['processor'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly recovered = new Counter({
    name: 'rap_ai_task_leases_recovered_total',
    help: 'Tasks recovered after their lease expired',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'rap_ai_task_stale_completions_total',
    help: 'Completions rejected because the claim token no longer held',
    registers: [this.registry],
  });
}

/** The process's executor metrics, shared by the background executor, manual runs and /metrics. */
export const sharedExecutorMetrics = new ExecutorMetrics();
