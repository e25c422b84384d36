import { processorRegistry, type ProcessorRegistry } from '../../../processors/registry.ts';
import type { Deps } from '../deps.ts';
import { Executor } from './executor.ts';
import { MirrorAfterRun } from '../sync/mirror/after-run.ts';
import { sharedExecutorMetrics } from './metrics.ts';
import { executorOptions, type ExecutorOptions } from './options.ts';
import { processorServices } from './services.ts';
import { mirrorBackoff } from '../sync/mirror/mirror.ts';
import { sendSalesforceNotifications } from '../sync/salesforce-notifications.ts';

export { Executor } from './executor.ts';

/** An executor over the service's dependencies (the production registry unless a test or the bench passes one). */
export function createExecutor(deps: Deps, opts: { registry?: ProcessorRegistry; options?: Partial<ExecutorOptions> } = {}): Executor {
  const mirror = new MirrorAfterRun({
    sql: deps.db.sql,
    salesforce: deps.salesforce,
    log: deps.log,
    backoff: mirrorBackoff(deps.env),
    then: () => sendSalesforceNotifications(deps),
  });
  return new Executor({
    db: deps.db,
    registry: opts.registry ?? processorRegistry,
    services: processorServices(deps),
    options: { ...executorOptions(deps.env), ...opts.options },
    metrics: sharedExecutorMetrics,
    settled: (task) => mirror.request(task.actionPlanId),
    afterStop: () => mirror.idle(),
    writePauseMs: () => deps.salesforce.gate.remainingMs(),
  });
}
