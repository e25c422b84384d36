import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { PROCESSOR_NAMES, processorCatalog, type ProcessorName } from '../../../processors/catalog.ts';
import { ActionPlanContent, AiTask, MAX_PLAN_TASKS } from './schema.ts';

/**
 * The plan as the model writes it. It differs from ActionPlanContent only in the AI task: the plan schema's
 * `metadata: z.record(...)` has no fixed properties, which a strict JSON schema cannot express, so the model gets
 * one variant per catalog processor (its name as a literal, its own metadata schema) and picks one. The result
 * maps back to the one plan schema unchanged, because the variant's fields are the plan's fields.
 */
const aiTaskVariant = <N extends ProcessorName>(name: N) =>
  AiTask.omit({ processor: true, metadata: true }).extend({
    processor: z.literal(name),
    metadata: processorCatalog[name].metadata,
  });

/** The processors a plan may name: all but the workflow scheduler (finalize schedules the next workflow itself). */
export const PLANNABLE_PROCESSORS = PROCESSOR_NAMES.filter((p) => p !== 'workflow-scheduler');

export const LlmAiTask = z.discriminatedUnion(
  'processor',
  PLANNABLE_PROCESSORS.map(aiTaskVariant) as unknown as [ReturnType<typeof aiTaskVariant>, ...ReturnType<typeof aiTaskVariant>[]],
);

export const LlmPlan = ActionPlanContent.extend({ aiTasks: z.array(LlmAiTask).max(MAX_PLAN_TASKS) });

let schema: Record<string, unknown> | undefined;
/**
 * The JSON schema of the model's answer (strict structured output). Built once: it is part of the static prefix
 * every plan request shares. The answer is only decoded as JSON; the one validation (validate.ts) judges it, so a
 * violation becomes errors the model can repair rather than an exception that loses the answer.
 */
export function planJsonSchema(): Record<string, unknown> {
  schema ??= zodResponseFormat(LlmPlan, 'action_plan').json_schema.schema as Record<string, unknown>;
  return schema;
}

export type DecodedAnswer = { ok: true; value: unknown } | { ok: false; error: string };

/** The answer's JSON, or why it is not JSON. */
export function decodeJson(content: string | null): DecodedAnswer {
  if (content === null || content.trim() === '') return { ok: false, error: 'the answer was empty' };
  try {
    return { ok: true, value: JSON.parse(content) };
  } catch (err) {
    return { ok: false, error: `the answer is not valid JSON (${(err as Error).message})` };
  }
}
