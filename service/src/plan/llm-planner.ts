import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { groundingErrors } from './grounding.ts';
import { decodeJson, planJsonSchema } from './llm-schema.ts';
import {
  deadlineOf,
  describeModelFailure,
  ModelEndpoint,
  type ModelEndpointOptions,
  type ModelRequest,
  type ProviderError,
} from './model-client.ts';
import type { ProfileName } from './model-profiles.ts';
import type { Planner, PlannerOutput, PlanningInput } from './planner.ts';
import { ModelMasking } from './masking.ts';
import { buildPlanPrompt } from './prompt.ts';
import { validatePlan } from './validate.ts';

interface LlmPlannerOptions extends ModelEndpointOptions {
  /** The output-token limit of one answer (max_completion_tokens, or max_tokens where a profile reads that). */
  maxCompletionTokens?: number;
  /**
   * MODEL_MASKING: names, emails and phone numbers of the context leave the service as placeholders (default on; off
   * sends them as they are, e.g. to a model hosted inside the customer's own boundary).
   */
  masking?: boolean;
}

/** One request and its answer as the model saw them: masked, with placeholders (the values are never recorded). */
interface ModelExchange {
  call: number;
  /** The last message sent (the plan prompt, or the repair request), as sent. */
  request: string;
  /** The answer's content as received, placeholders and all. */
  answer: string | null;
}

/** What the model did, stored with the plan (the generation record). */
export interface LlmGeneration {
  planner: 'llm';
  model: string;
  profile: ProfileName;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  latencyMs: number;
  /** Model calls made: 1, or 2 when the first plan was sent back for repair. */
  calls: number;
  /** Per rejected answer, why it was rejected. */
  rejections: { call: number; errors: string[] }[];
  validationFixes: string[];
  /** The finish reason of the last answer (`length` and `content_filter` end the attempt; the usage above is kept). */
  finishReason: string | null;
  /** The provider's own words when it refused the request (HTTP 4xx), secrets redacted. */
  providerError: ProviderError | null;
  /** A short machine-readable reason when the model's plan was not used (deadline, http_400, length...). */
  failureKind: string | null;
  /** Every request and answer of this generation, masked. */
  exchanges: ModelExchange[];
  /** The placeholders used and what kind of value each stands for; null when masking is off. */
  masked: Record<string, string> | null;
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
const DEFAULT_MAX_COMPLETION_TOKENS = 12_000;

/**
 * The LLM planner: one structured-output request built from the stage configuration and the CRM context, under the
 * endpoint's provider profile; the answer passes the one validation plus grounding; a rejected answer goes back once
 * with its errors; a second rejection, a refusal, a cut-off answer, the deadline or an endpoint error is a
 * PlannerFailure (the caller falls back to the playbook).
 */
export class LlmPlanner implements Planner {
  readonly name = 'llm' as const;
  readonly endpoint: ModelEndpoint;

  constructor(private readonly options: LlmPlannerOptions) {
    this.endpoint = new ModelEndpoint(options);
  }

  get model(): string {
    return this.options.model;
  }

  /** The masking of a context's values, or undefined when MODEL_MASKING is off. */
  maskingFor(input: PlanningInput): ModelMasking | undefined {
    return this.options.masking === false ? undefined : new ModelMasking(input.context);
  }

  /** The first request of a plan, exactly as sent (the prompt-size measurement reads it). */
  request(input: PlanningInput, prompt = buildPlanPrompt(input), masking = this.maskingFor(input)): ModelRequest {
    return {
      purpose: 'plan',
      system: prompt.system,
      messages: [{ role: 'user', content: masking ? masking.mask(prompt.user) : prompt.user }],
      format: { name: 'action_plan', schema: planJsonSchema() },
      maxCompletionTokens: this.options.maxCompletionTokens ?? DEFAULT_MAX_COMPLETION_TOKENS,
    };
  }

  async plan(input: PlanningInput, signal?: AbortSignal): Promise<PlannerOutput> {
    const prompt = buildPlanPrompt(input);
    // Between the context and the request: what leaves the service is masked; answers map back before validation.
    const masking = this.maskingFor(input);
    const first = this.request(input, prompt, masking);
    const started = performance.now();
    const record: LlmGeneration = {
      planner: 'llm',
      model: this.options.model,
      profile: this.endpoint.profile.name,
      promptTokens: 0,
      completionTokens: 0,
      cachedPromptTokens: 0,
      latencyMs: 0,
      calls: 0,
      rejections: [],
      validationFixes: [],
      finishReason: null,
      providerError: null,
      failureKind: null,
      exchanges: [],
      masked: null,
    };
    const fail = (reason: string, kind: string) => {
      record.latencyMs = Math.round(performance.now() - started);
      record.failureKind = kind;
      return new PlannerFailure(reason, record);
    };
    const messages: ChatCompletionMessageParam[] = [...first.messages];
    for (let round = 0; ; round++) {
      record.calls++;
      const answer = await this.endpoint.complete({ ...first, messages }, signal).catch((err: unknown) => {
        const failure = describeModelFailure(err, {
          timeoutMs: this.options.timeoutMs,
          deadlineMs: deadlineOf(signal),
          aborted: signal?.aborted,
        });
        record.providerError = failure.providerError ?? null;
        throw fail(failure.reason, failure.kind);
      });
      record.promptTokens += answer.usage.promptTokens;
      record.completionTokens += answer.usage.completionTokens;
      record.cachedPromptTokens += answer.usage.cachedPromptTokens;
      record.finishReason = answer.finishReason;
      record.exchanges.push({ call: record.calls, request: String(messages.at(-1)?.content ?? ''), answer: answer.content });
      record.masked = masking ? masking.masked : null;
      if (answer.refusal) throw fail(`the model declined to write the plan ("${answer.refusal.slice(0, 200)}")`, 'refusal');
      if (answer.finishReason === 'length')
        throw fail(`the answer was cut off at the length limit (${answer.usage.completionTokens} completion tokens)`, 'length');
      if (answer.finishReason === 'content_filter') throw fail("the answer was stopped by the provider's content filter", 'content_filter');
      const decoded = decodeJson(answer.content);
      const errors: string[] = [];
      let checked: ReturnType<typeof validatePlan> | undefined;
      if (!decoded.ok) errors.push(decoded.error);
      else {
        checked = validatePlan(masking ? masking.unmask(decoded.value) : decoded.value, input);
        errors.push(...checked.errors);
        if (checked.content) errors.push(...groundingErrors(checked.content, prompt.sent));
      }
      if (errors.length === 0 && checked?.content) {
        record.validationFixes = checked.fixes;
        record.latencyMs = Math.round(performance.now() - started);
        return { content: checked.content, generation: { ...record } };
      }
      record.rejections.push({ call: record.calls, errors });
      if (round >= REPAIR_ROUNDS)
        throw fail(
          `the model's plan failed validation twice (${errors.slice(0, 3).join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more` : ''})`,
          'invalid',
        );
      // The errors can quote the plan's values (a contact's name): they leave masked like the prompt.
      const repair = repairRequest(errors);
      messages.push(
        { role: 'assistant', content: answer.content ?? '' },
        { role: 'user', content: masking ? masking.mask(repair) : repair },
      );
    }
  }
}

function repairRequest(errors: string[]): string {
  return [
    'That plan was rejected by validation. Return the whole corrected plan as JSON in the same schema. Problems:',
    ...errors.slice(0, 20).map((e) => `- ${e}`),
  ].join('\n');
}

/** The model settings of the environment (shared by the planner and the step model). */
export interface ModelEnv {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL: string;
  OPENAI_PROFILE?: ProfileName;
  OPENAI_TIMEOUT_SECONDS: number;
  OPENAI_MAX_RETRIES: number;
  OPENAI_MAX_COMPLETION_TOKENS?: number;
  MODEL_MASKING?: 'on' | 'off';
}

/** The endpoint options of the environment, or undefined without an API key (the rules answer). */
export function endpointOptionsFromEnv(env: ModelEnv): LlmPlannerOptions | undefined {
  if (!env.OPENAI_API_KEY) return undefined;
  return {
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    model: env.OPENAI_MODEL,
    profile: env.OPENAI_PROFILE,
    timeoutMs: env.OPENAI_TIMEOUT_SECONDS * 1000,
    maxRetries: env.OPENAI_MAX_RETRIES,
    maxCompletionTokens: env.OPENAI_MAX_COMPLETION_TOKENS,
    masking: env.MODEL_MASKING !== 'off',
  };
}

/** The LLM planner when an API key is configured, else undefined (the playbook planner is used). */
export function llmPlannerFromEnv(env: ModelEnv): LlmPlanner | undefined {
  const options = endpointOptionsFromEnv(env);
  return options && new LlmPlanner(options);
}
