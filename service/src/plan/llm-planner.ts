import OpenAI from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/error';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { groundingErrors } from './grounding.ts';
import { planResponseFormat, type DecodedAnswer } from './llm-schema.ts';
import type { Planner, PlannerOutput, PlanningInput } from './planner.ts';
import { buildPlanPrompt } from './prompt.ts';
import { validatePlan } from './validate.ts';

export interface LlmPlannerOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint; unset = api.openai.com. */
  baseURL?: string;
  model: string;
  timeoutMs: number;
  /** Retries of timeouts, 408/409/429 and 5xx answers, done by the SDK with backoff (honouring Retry-After). */
  maxRetries: number;
}

/** What the model did, stored with the plan (the generation record). */
export interface LlmGeneration {
  planner: 'llm';
  model: string;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  latencyMs: number;
  /** Model calls made: 1, or 2 when the first plan was sent back for repair. */
  calls: number;
  /** Per rejected answer, why it was rejected. */
  rejections: { call: number; errors: string[] }[];
  validationFixes: string[];
}

/** The model could not give a usable plan; `reason` is said to the CSM, `generation` is kept on the fallback plan. */
export class PlannerFailure extends Error {
  override name = 'PlannerFailure';
  constructor(
    readonly reason: string,
    readonly generation: LlmGeneration,
  ) {
    super(reason);
  }
}

const REPAIR_ROUNDS = 1;

/**
 * The LLM planner: one strict structured-output request built from the stage configuration and the CRM context;
 * the answer passes the one validation plus grounding; a rejected answer goes back once with its errors; a second
 * rejection, a refusal, a timeout or an endpoint error is a PlannerFailure (the caller falls back to the playbook).
 */
export class LlmPlanner implements Planner {
  readonly name = 'llm' as const;
  private readonly client: OpenAI;
  private readonly format = planResponseFormat();

  constructor(private readonly options: LlmPlannerOptions) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutMs, maxRetries: options.maxRetries });
  }

  get model(): string {
    return this.options.model;
  }

  async plan(input: PlanningInput): Promise<PlannerOutput> {
    const prompt = buildPlanPrompt(input);
    const started = performance.now();
    const record: LlmGeneration = {
      planner: 'llm', model: this.options.model, promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, latencyMs: 0, calls: 0, rejections: [], validationFixes: [],
    };
    const fail = (reason: string) => {
      record.latencyMs = Math.round(performance.now() - started);
      return new PlannerFailure(reason, record);
    };
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ];
    for (let round = 0; ; round++) {
      const answer = await this.complete(messages, record).catch((err: unknown) => {
        throw fail(describeFailure(err, this.options.timeoutMs));
      });
      if (answer.refusal !== null) throw fail(`the model declined to write the plan ("${answer.refusal.slice(0, 200)}")`);
      const errors: string[] = [];
      let checked: ReturnType<typeof validatePlan> | undefined;
      if (!answer.decoded.ok) errors.push(answer.decoded.error);
      else {
        checked = validatePlan(answer.decoded.value, input);
        errors.push(...checked.errors);
        if (checked.content) errors.push(...groundingErrors(checked.content, prompt.sent));
      }
      if (errors.length === 0 && checked?.content) {
        record.validationFixes = checked.fixes;
        record.latencyMs = Math.round(performance.now() - started);
        return { content: checked.content, generation: { ...record } };
      }
      record.rejections.push({ call: record.calls, errors });
      if (round >= REPAIR_ROUNDS) throw fail(`the model's plan failed validation twice (${errors.slice(0, 3).join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more` : ''})`);
      messages.push({ role: 'assistant', content: answer.content ?? '' }, { role: 'user', content: repairRequest(errors) });
    }
  }

  private async complete(messages: ChatCompletionMessageParam[], record: LlmGeneration) {
    record.calls++;
    const completion = await this.client.chat.completions.parse({ model: this.options.model, messages, response_format: this.format, temperature: 0.2 });
    record.promptTokens += completion.usage?.prompt_tokens ?? 0;
    record.completionTokens += completion.usage?.completion_tokens ?? 0;
    record.cachedPromptTokens += completion.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const message = completion.choices[0]?.message;
    if (!message) throw new Error('the endpoint answered without a choice');
    const decoded: DecodedAnswer = (message.parsed as DecodedAnswer | null) ?? { ok: false, error: 'the answer was empty' };
    return { content: message.content, refusal: message.refusal ?? null, decoded };
  }
}

function repairRequest(errors: string[]): string {
  return [
    'That plan was rejected by validation. Return the whole corrected plan as JSON in the same schema. Problems:',
    ...errors.slice(0, 20).map((e) => `- ${e}`),
  ].join('\n');
}

/** The failure in words for the CSM's note: what went wrong, never a stack or a key. */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return `the model did not answer within ${Math.round(timeoutMs / 100) / 10} s`;
  if (err instanceof OpenAI.APIConnectionError) return 'the model endpoint could not be reached';
  if (err instanceof OpenAI.RateLimitError) return 'the model endpoint is rate limited (HTTP 429)';
  if (err instanceof OpenAI.APIError) return `the model endpoint answered HTTP ${err.status ?? 'error'}`;
  if (err instanceof LengthFinishReasonError) return 'the answer was cut off at the length limit';
  if (err instanceof ContentFilterFinishReasonError) return "the answer was stopped by the provider's content filter";
  return `the model request failed (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'})`;
}

/** The LLM planner when an API key is configured, else undefined (the playbook planner is used). */
export function llmPlannerFromEnv(env: { OPENAI_API_KEY?: string; OPENAI_BASE_URL?: string; OPENAI_MODEL: string; OPENAI_TIMEOUT_SECONDS: number; OPENAI_MAX_RETRIES: number }): LlmPlanner | undefined {
  if (!env.OPENAI_API_KEY) return undefined;
  return new LlmPlanner({
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    model: env.OPENAI_MODEL,
    timeoutMs: env.OPENAI_TIMEOUT_SECONDS * 1000,
    maxRetries: env.OPENAI_MAX_RETRIES,
  });
}
