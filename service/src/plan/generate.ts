import { inSpan } from '../tracing.ts';
import { PlannerFailure } from './llm-planner.ts';
import { sharedModelMetrics } from './model-metrics.ts';
import type { Planner, PlanningInput } from './planner.ts';
import { PlaybookPlanner } from './playbook.ts';
import type { ActionPlanContent } from './schema.ts';
import { validatePlan } from './validate.ts';

export interface GeneratedPlan {
  planner: 'llm' | 'playbook';
  /** Shown to the CSM beside the planner: why the playbook wrote the plan when the model was asked. */
  plannerNote: string | null;
  content: ActionPlanContent;
  /** The record of generation stored with the plan. */
  generation: Record<string, unknown>;
}

/** The playbook's plan did not pass validation: a bug in the playbook or the stage configuration, not in the data. */
export class InvalidPlaybookPlan extends Error {
  override name = 'InvalidPlaybookPlan';
  constructor(readonly errors: string[]) {
    super(`The playbook planner produced an invalid plan: ${errors.slice(0, 3).join('; ')}`);
  }
}

interface GenerateOptions {
  /** The generation's one deadline: past it the model's call is abandoned (aborted) and the playbook plans. */
  signal?: AbortSignal;
  onFallback?: (reason: string) => void;
  fallback?: Planner;
}

/**
 * Runs the configured planner and validates its plan; when the LLM planner fails in any way (rejected twice,
 * refused, cut off, past the deadline, endpoint down) the playbook writes the plan instead and the reason is kept
 * for the CSM.
 */
export function generateWithFallback(planner: Planner, input: PlanningInput, options: GenerateOptions = {}): Promise<GeneratedPlan> {
  // One span per generation: which planner was asked, which wrote the plan, and why the playbook stood in if it did.
  return inSpan('plan generate', { attributes: { 'rap.planner.asked': planner.name } }, async (span) => {
    const plan = await generate(planner, input, options);
    span.setAttributes({ 'rap.planner': plan.planner, 'rap.plan.fallback': plan.planner !== planner.name });
    const reason = plan.generation.fallbackReason;
    if (typeof reason === 'string') span.setAttribute('rap.plan.fallback_reason', reason);
    return plan;
  });
}

async function generate(planner: Planner, input: PlanningInput, options: GenerateOptions): Promise<GeneratedPlan> {
  const { signal, onFallback = () => undefined, fallback = new PlaybookPlanner() } = options;
  if (planner.name === 'llm') {
    try {
      const out = await planner.plan(input, signal);
      // The LLM planner validated already; validating again is cheap and keeps "every plan passes" literally true.
      const checked = validatePlan(out.content, input);
      if (checked.content) {
        const earlier = (out.generation.validationFixes as string[] | undefined) ?? [];
        return {
          planner: 'llm',
          plannerNote: null,
          content: checked.content,
          generation: { ...out.generation, validationFixes: [...earlier, ...checked.fixes], validationErrors: [] },
        };
      }
      throw new PlannerFailure(`the plan failed validation (${checked.errors.slice(0, 3).join('; ')})`, out.generation as never);
    } catch (err) {
      const reason = err instanceof PlannerFailure ? err.reason : `the AI planner failed (${(err as Error).message})`;
      sharedModelMetrics.fallbacks.inc({
        purpose: 'plan',
        reason: err instanceof PlannerFailure ? (err.generation.failureKind ?? 'invalid') : 'error',
      });
      onFallback(reason);
      const playbook = await fromPlaybook(fallback, input);
      return {
        ...playbook,
        plannerNote: `The AI planner's plan was not used: ${reason}. This plan was written by the playbook.`,
        generation: { ...playbook.generation, fallbackReason: reason, llm: err instanceof PlannerFailure ? err.generation : null },
      };
    }
  }
  return fromPlaybook(planner, input);
}

async function fromPlaybook(planner: Planner, input: PlanningInput): Promise<GeneratedPlan> {
  const out = await planner.plan(input);
  const checked = validatePlan(out.content, input);
  if (!checked.content) throw new InvalidPlaybookPlan(checked.errors);
  return {
    planner: 'playbook',
    plannerNote: null,
    content: checked.content,
    generation: { ...out.generation, validationFixes: checked.fixes, validationErrors: [] },
  };
}
