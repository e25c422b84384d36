import { zodResponseFormat } from 'openai/helpers/zod';
import type { z } from 'zod';
import { endpointOptionsFromEnv, type ModelEnv } from '../../plan/llm-planner.ts';
import { decodeJson } from '../../plan/llm-schema.ts';
import { ModelMasking } from '../../plan/masking.ts';
import { deadlineOf, describeModelFailure, ModelEndpoint } from '../../plan/model-client.ts';
import type { CrmContext } from '../../salesforce/context.ts';

/** A model that analyses one step under the step's own output schema (structured output). */
export interface StepModel {
  readonly name: string;
  /** The model's answer as decoded JSON; the caller validates and grounds it. Throws a StepModelError when there is none. */
  analyze(request: {
    stepId: string;
    instructions: string;
    facts: unknown;
    schema: z.ZodType;
    /** The CRM context the facts come from: its names, emails and phone numbers leave masked (MODEL_MASKING). */
    context?: CrmContext;
    signal?: AbortSignal;
  }): Promise<unknown>;
}

/** The model gave no answer to judge: `kind` for metrics, the message for the step's fallback reason. */
export class StepModelError extends Error {
  override name = 'StepModelError';
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

/** Steps' answers are small: a bound keeps a runaway answer cheap. */
const STEP_MAX_COMPLETION_TOKENS = 4_000;

/**
 * A StepModel on an OpenAI-compatible endpoint under its provider profile: the step's output schema is the response
 * format. Bounded by the caller's deadline (the signal) besides the endpoint's own timeout and retries.
 */
function endpointStepModel(endpoint: ModelEndpoint, masking: boolean): StepModel {
  return {
    name: endpoint.model,
    async analyze({ stepId, instructions, facts, schema, context, signal }) {
      const name = stepId.replaceAll('-', '_');
      // The plan's trust layer for steps too: step facts quote contacts; the answer maps back before it is judged.
      const mask = masking && context ? new ModelMasking(context) : undefined;
      const content = JSON.stringify(facts).replace(/</g, '\\u003c');
      const answer = await endpoint
        .complete(
          {
            purpose: 'step',
            system: instructions,
            messages: [{ role: 'user', content: mask ? mask.mask(content) : content }],
            format: { name, schema: zodResponseFormat(schema as never, name).json_schema.schema as Record<string, unknown> },
            maxCompletionTokens: STEP_MAX_COMPLETION_TOKENS,
          },
          signal,
        )
        .catch((err: unknown) => {
          const failure = describeModelFailure(err, {
            timeoutMs: endpoint.timeoutMs,
            deadlineMs: deadlineOf(signal),
            aborted: signal?.aborted,
          });
          throw new StepModelError(failure.reason, failure.kind);
        });
      if (answer.refusal) throw new StepModelError(`the model declined ("${answer.refusal.slice(0, 200)}")`, 'refusal');
      if (answer.finishReason === 'length') throw new StepModelError('the answer was cut off at the length limit', 'length');
      if (answer.finishReason === 'content_filter')
        throw new StepModelError("the answer was stopped by the provider's content filter", 'content_filter');
      const decoded = decodeJson(answer.content);
      if (!decoded.ok) throw new StepModelError(decoded.error, 'invalid');
      return mask ? mask.unmask(decoded.value) : decoded.value;
    },
  };
}

/** The step model for the configured endpoint (the LLM planner's settings), or undefined without OPENAI_API_KEY. */
export function stepModelFromEnv(env: ModelEnv): StepModel | undefined {
  const options = endpointOptionsFromEnv(env);
  return options && endpointStepModel(new ModelEndpoint(options), options.masking !== false);
}
