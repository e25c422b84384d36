import { z } from 'zod';
import type { PlanningStep } from './planner.ts';

/**
 * The workflow steps as the playbook reads them. Steps arrive as `PlanningInput.steps` (any planner may read
 * them); this parses the fields the playbook relies on and ignores anything else, so a step stored by an older
 * version never breaks planning.
 */
const StepFacts = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string().catch('analysis'),
  status: z.enum(['pending', 'done', 'skipped']).catch('pending'),
  waitingForInput: z.boolean().catch(false),
  summary: z.string().nullable().catch(null),
  decision: z.string().nullable().catch(null),
  skipReason: z.string().nullable().catch(null),
  output: z.record(z.string(), z.unknown()).nullable().catch(null),
  findings: z.array(z.object({ severity: z.string(), text: z.string() })).catch([]),
  actions: z
    .array(z.object({ topic: z.string(), priority: z.number(), title: z.string(), rationale: z.string(), owner: z.enum(['CSM', 'AI']) }))
    .catch([]),
});
export type StepFacts = z.infer<typeof StepFacts>;

export function readStepFacts(steps: readonly PlanningStep[] | undefined): StepFacts[] {
  return (steps ?? []).flatMap((s) => {
    const parsed = StepFacts.safeParse(s);
    return parsed.success ? [parsed.data] : [];
  });
}

/** A step's output field, when the step is done and the field has the expected type. */
export function stepOutput<T>(steps: StepFacts[], id: string, field: string, schema: z.ZodType<T>): T | undefined {
  const s = steps.find((x) => x.id === id && x.status === 'done');
  const parsed = schema.safeParse(s?.output?.[field]);
  return parsed.success ? parsed.data : undefined;
}
