import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { PROCESSOR_NAMES, processorCatalog, type ProcessorName } from '../../../processors/catalog.ts';
import { ActionPlanContent, AiTask } from './schema.ts';

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

export const LlmAiTask = z.discriminatedUnion(
  'processor',
  PROCESSOR_NAMES.map(aiTaskVariant) as unknown as [ReturnType<typeof aiTaskVariant>, ...ReturnType<typeof aiTaskVariant>[]],
);

export const LlmPlan = ActionPlanContent.extend({ aiTasks: z.array(LlmAiTask) });

/**
 * The response format sent to the model: the strict JSON schema of LlmPlan. The parser only decodes JSON: the
 * one validation (validate.ts) judges the content, so a schema violation becomes errors the model can repair
 * rather than an exception that loses the answer.
 */
export function planResponseFormat() {
  const format = zodResponseFormat(LlmPlan, 'action_plan');
  dropUnsupportedPatterns(format.json_schema.schema as Record<string, unknown>);
  return Object.defineProperties({ ...format }, {
    $brand: { value: 'auto-parseable-response-format', enumerable: false },
    $parseRaw: { value: decodeJson, enumerable: false },
  }) as typeof format;
}

export type DecodedAnswer = { ok: true; value: unknown } | { ok: false; error: string };

function decodeJson(content: string): DecodedAnswer {
  try {
    return { ok: true, value: JSON.parse(content) };
  } catch (err) {
    return { ok: false, error: `the answer is not valid JSON (${(err as Error).message})` };
  }
}

/**
 * Zod writes its email check as a regular expression with look-aheads, which providers' strict schema subsets
 * reject; `format: "email"` stays, and validation applies the full check afterwards.
 */
function dropUnsupportedPatterns(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(dropUnsupportedPatterns);
  const record = node as Record<string, unknown>;
  if (typeof record.pattern === 'string' && /\(\?[=!<]/.test(record.pattern)) delete record.pattern;
  Object.values(record).forEach(dropUnsupportedPatterns);
}
