import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { z } from 'zod';

/** A model that analyses one step under the step's own output schema (structured output). */
export interface StepModel {
  readonly name: string;
  analyze<O>(request: { stepId: string; instructions: string; facts: unknown; schema: z.ZodType<O> }): Promise<O>;
}

/**
 * A StepModel on the openai SDK, for any OpenAI-compatible endpoint: the step's output schema is the response
 * format, so the answer arrives parsed. Bounded by the client's own timeout and retries.
 */
export function openAiStepModel(client: OpenAI, model: string): StepModel {
  return {
    name: model,
    async analyze({ stepId, instructions, facts, schema }) {
      const completion = await client.chat.completions.parse({
        model,
        temperature: 0,
        messages: [
          { role: 'system', content: instructions },
          { role: 'user', content: JSON.stringify(facts) },
        ],
        response_format: zodResponseFormat(schema as never, stepId.replaceAll('-', '_')),
      });
      const parsed = completion.choices[0]?.message.parsed;
      if (parsed == null) throw new Error(completion.choices[0]?.message.refusal ?? 'the model returned no parsed answer');
      return parsed as never;
    },
  };
}

/** The step model for the configured endpoint (the LLM planner's settings), or undefined without OPENAI_API_KEY. */
export function stepModelFromEnv(env: { OPENAI_API_KEY?: string; OPENAI_BASE_URL?: string; OPENAI_MODEL: string; OPENAI_TIMEOUT_SECONDS: number; OPENAI_MAX_RETRIES: number }): StepModel | undefined {
  if (!env.OPENAI_API_KEY) return undefined;
  const client = new OpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, timeout: env.OPENAI_TIMEOUT_SECONDS * 1000, maxRetries: env.OPENAI_MAX_RETRIES });
  return openAiStepModel(client, env.OPENAI_MODEL);
}
