import { processorRegistry } from '../../../processors/registry.ts';
import type { PlanningInput } from './planner.ts';

/**
 * The processors a plan for this renewal may use: the stage's allow-list, less those whose input this context cannot
 * ground (no sent email to track, no contact of the account to make primary).
 */
export function offeredProcessors(input: Pick<PlanningInput, 'stage' | 'context' | 'processors'>): string[] {
  const registry = input.processors ?? processorRegistry;
  return input.stage.processors.filter((name) => registry.get(name)?.groundable?.(input.context) ?? true);
}
