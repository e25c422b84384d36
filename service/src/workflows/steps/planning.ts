import type { ExecutionStep } from '../../db/executions.ts';
import type { PlanningStep } from '../../plan/planner.ts';
import type { StepResult } from './types.ts';

/**
 * The execution's steps as planning input: every step before the action plan, done or not, with its summary,
 * decision, output, findings and actions, so the plan is built from them and says which are still missing.
 */
export function planningSteps(steps: ExecutionStep[]): PlanningStep[] {
  return steps
    .filter((s) => s.type !== 'planning')
    .map((s) => {
      const r = (s.result ?? null) as StepResult | null;
      return {
        id: s.id,
        name: s.name,
        type: s.type,
        status: s.status,
        waitingForInput: s.status === 'pending' && (s.needsInput ?? false),
        summary: r?.summary ?? null,
        decision: r?.decision ?? null,
        skipReason: s.skipReason ?? null,
        output: r?.output ?? null,
        findings: r?.findings ?? [],
        actions: r?.actions ?? [],
      };
    });
}
