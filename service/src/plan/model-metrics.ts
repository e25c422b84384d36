import { Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of model calls (plans and workflow steps), in a registry of their own like the executor's. */
export class ModelMetrics {
  readonly registry = new Registry();
  readonly latency = new Histogram({
    name: 'rap_model_call_duration_seconds',
    help: 'Model calls by purpose (plan, step), provider profile and outcome',
    labelNames: ['purpose', 'profile', 'outcome'] as const,
    buckets: [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 90, 120],
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'rap_model_tokens_total',
    help: 'Tokens of model calls by purpose and kind (prompt, completion, cached)',
    labelNames: ['purpose', 'kind'] as const,
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'rap_model_fallbacks_total',
    help: 'Plans and step analyses the rules wrote because the model failed, by purpose and reason',
    labelNames: ['purpose', 'reason'] as const,
    registers: [this.registry],
  });
}

/** The process's model metrics, shared by the planner, the step model and /metrics. */
export const sharedModelMetrics = new ModelMetrics();
