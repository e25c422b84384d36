import { Hono } from 'hono';
import { Gauge, Registry } from 'prom-client';
import { oldestPendingMirrorSeconds, queueDepth, replayPositions, skippedSalesforceTaskCounts } from '../read-model/operations.ts';
import { sharedChangeEventMetrics, syncModeGauge } from '../sync/sync-status.ts';
import { secretCheck } from '../auth.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http-errors.ts';
import { sharedExecutorMetrics } from '../executor/metrics.ts';
import { sharedModelMetrics } from '../plan/model-metrics.ts';

/**
 * Prometheus metrics (Bearer SERVICE_API_KEY): the AI task queue depth by status and the Salesforce mirror's backlog (read
 * from the database at scrape time, so every instance reports the same shared queue), this process's runs, failures
 * and durations, and its model calls.
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
  // One read serves both mirror gauges of a scrape.
  let mirror: Promise<{ seconds: number; pending: number }> | undefined;
  const mirrorState = () => (mirror ??= oldestPendingMirrorSeconds(deps.db.sql).finally(() => setImmediate(() => (mirror = undefined))));
  new Gauge({
    name: 'rap_salesforce_mirror_oldest_pending_seconds',
    help: 'How long the task waiting longest to be copied to Salesforce has waited (0 when none waits)',
    registers: [queue],
    async collect() {
      this.set((await mirrorState()).seconds);
    },
  });
  new Gauge({
    name: 'rap_salesforce_mirror_pending',
    help: 'Tasks waiting to be copied to Salesforce',
    registers: [queue],
    async collect() {
      this.set((await mirrorState()).pending);
    },
  });
  new Gauge({
    name: 'rap_salesforce_tasks_skipped',
    help: 'Salesforce Tasks carrying a plan task key that are not the Task the mirror wrote (never applied; npm run tasks -- mirrors)',
    labelNames: ['reason'] as const,
    registers: [queue],
    async collect() {
      for (const [reason, n] of Object.entries(await skippedSalesforceTaskCounts(deps.db.sql))) this.set({ reason }, n);
    },
  });
  new Gauge({
    name: 'rap_salesforce_replay_id_age_seconds',
    help: 'Age of the stored replay id per change event channel (Salesforce keeps events 72 hours: past that, a full catch-up)',
    labelNames: ['channel'] as const,
    registers: [queue],
    async collect() {
      for (const r of await replayPositions(deps.db.sql))
        this.set({ channel: r.channel }, Math.max(0, (deps.now().getTime() - r.eventAt.getTime()) / 1000));
    },
  });
  syncModeGauge(() => deps.syncStatus, queue);
  const registry = Registry.merge([queue, sharedExecutorMetrics.registry, sharedModelMetrics.registry, sharedChangeEventMetrics.registry]);
  const app = new Hono();
  const isApiKey = secretCheck(deps.apiKey);
  // Authenticated like the API (Prometheus: `authorization: { credentials: <SERVICE_API_KEY> }`), but without a
  // Salesforce user: the numbers describe the shared queue, not any one user's records.
  app.get('/', async (c) => {
    const given = /^Bearer (.+)$/i.exec(c.req.header('authorization')?.trim() ?? '')?.[1];
    if (!given || !isApiKey(given)) throw new ApiError(401, 'UNAUTHORIZED', 'Missing or wrong Authorization: Bearer <service API key>');
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  return app;
}
