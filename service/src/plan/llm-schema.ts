import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { plannableProcessors, processorRegistry, type ProcessorRegistry } from '../../../processors/registry.ts';
import { ActionPlanContent, AiTask, AssigneeRole, CsmTask, CsmTaskKind, DependsOn, MAX_PLAN_TASKS } from './schema.ts';

/**
 * The plan as the model writes it. It differs from ActionPlanContent only in the AI task: the plan schema's
 * `metadata: z.record(...)` has no fixed properties, which a strict JSON schema cannot express, so the model gets
 * one variant per plannable processor of the registry (its name as a literal, its own metadata schema) and picks one.
 * The result maps back to the one plan schema unchanged, because the variant's fields are the plan's fields. The
 * task fields the plan schema defaults (dependsOn, assigneeRole, a CSM task's kind) are required here: strict mode has no optional field.
 */
export function llmPlanSchema(registry: ProcessorRegistry = processorRegistry) {
  const variants = plannableProcessors(registry).map((name) =>
    AiTask.omit({ processor: true, metadata: true })
      .extend({ processor: z.literal(name), metadata: registry.get(name)!.metadata })
      .extend(strictTaskFields),
  );
  const aiTask = z.discriminatedUnion('processor', variants as [(typeof variants)[number], ...(typeof variants)[number][]]);
  return ActionPlanContent.extend({
    aiTasks: z.array(aiTask).max(MAX_PLAN_TASKS),
    csmTasks: z.array(CsmTask.extend({ ...strictTaskFields, kind: CsmTaskKind })).max(MAX_PLAN_TASKS),
  });
}

/** Strict mode wants every property required: the plan schema's defaults (none, the owner) become required fields. */
const strictTaskFields = { dependsOn: DependsOn, assigneeRole: AssigneeRole };

/** The processors a plan may name: all but the workflow scheduler (finalize schedules the next workflow itself). */
export const PLANNABLE_PROCESSORS = plannableProcessors();

let schema: Record<string, unknown> | undefined;
/**
 * The JSON schema of the model's answer (strict structured output). Built once: it is part of the static prefix
 * every plan request shares. The answer is only decoded as JSON; the one validation (validate.ts) judges it, so a
 * violation becomes errors the model can repair rather than an exception that loses the answer.
 */
export function planJsonSchema(): Record<string, unknown> {
  schema ??= zodResponseFormat(llmPlanSchema(), 'action_plan').json_schema.schema as Record<string, unknown>;
  return schema;
}

type DecodedAnswer = { ok: true; value: unknown } | { ok: false; error: string };

/** The answer's JSON, or why it is not JSON. */
export function decodeJson(content: string | null): DecodedAnswer {
  if (content === null || content.trim() === '') return { ok: false, error: 'the answer was empty' };
  try {
    return { ok: true, value: JSON.parse(content) };
  } catch (err) {
    return { ok: false, error: `the answer is not valid JSON (${(err as Error).message})` };
  }
}
