import { Hono } from 'hono';
import { Gauge, Registry } from 'prom-client';
import { queueDepth } from '../db/queue.ts';
import type { Deps } from '../deps.ts';
import { sharedExecutorMetrics } from '../executor/metrics.ts';

/**
 * Prometheus metrics: the AI task queue depth by status (read from the database at scrape time, so every instance
 * reports the same shared queue) and this process's runs, failures and durations.
 */
export function metricsRouter(deps: Deps) {
  const queue = new Registry();
  new Gauge({
    name: 'rap_ai_tasks',
    help: 'AI tasks by execution status (the shared queue)',
    labelNames: ['status'] as const,
    registers: [queue],
    async collect() {
      const depth = await queueDepth(deps.db.sql);
      for (const [status, n] of Object.entries(depth)) this.set({ status }, n);
    },
  });
  const registry = Registry.merge([queue, sharedExecutorMetrics.registry]);
  const app = new Hono();
  app.get('/', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  return app;
}
