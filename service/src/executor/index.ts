import { processorRegistry, type ProcessorRegistry } from '../../../processors/registry.ts';
import type { Deps } from '../deps.ts';
import { Executor } from './executor.ts';
import { sharedExecutorMetrics } from './metrics.ts';
import { executorOptions, type ExecutorOptions } from './options.ts';
import { processorServices } from './services.ts';

export { Executor } from './executor.ts';

/** An executor over the service's dependencies (the production registry unless a test or the bench passes one). */
export function createExecutor(deps: Deps, opts: { registry?: ProcessorRegistry; options?: Partial<ExecutorOptions> } = {}): Executor {
  return new Executor({
    db: deps.db,
    registry: opts.registry ?? processorRegistry,
    services: processorServices(deps),
    options: { ...executorOptions(deps.env), ...opts.options },
    metrics: sharedExecutorMetrics,
    writePauseMs: () => deps.salesforce.gate.remainingMs(),
  });
}
