import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { redactSecrets } from '../secrets.ts';
import { anthropicBody, anthropicComplete, describeAnthropicFailure } from './anthropic-client.ts';
import { sharedModelMetrics, type ModelMetrics } from './model-metrics.ts';
import { inSpan, SpanKind } from '../tracing.ts';
import { profileFor, type ModelProfile, type ProfileName } from './model-profiles.ts';

export interface ModelEndpointOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint; unset = api.openai.com. */
  baseURL?: string;
  model: string;
  /** OPENAI_PROFILE; unset = chosen from the model name and the base URL. */
  profile?: ProfileName;
  /** One attempt's timeout; the caller's deadline (an AbortSignal) bounds all attempts together. */
  timeoutMs: number;
  /** Retries of timeouts, 408/409/429 and 5xx answers, done by the SDK with backoff (honouring Retry-After). */
  maxRetries: number;
}

/** One structured-output request: the messages after the system message, and the JSON schema of the answer. */
export interface ModelRequest {
  purpose: 'plan' | 'step' | 'judge';
  system: string;
  messages: ChatCompletionMessageParam[];
  format: { name: string; schema: Record<string, unknown> };
  maxCompletionTokens: number;
}

interface ModelAnswer {
  content: string | null;
  refusal: string | null;
  finishReason: string;
  usage: { promptTokens: number; completionTokens: number; cachedPromptTokens: number };
}

/**
 * An OpenAI-compatible chat endpoint under a provider profile: the request carries only parameters the profile
 * accepts, every call is measured (latency, tokens) and ends at the caller's deadline.
 */
export class ModelEndpoint {
  readonly profile: ModelProfile;
  private readonly client: OpenAI;
  /** Set for the anthropic profile: the official SDK on the Messages API. */
  private readonly anthropic?: Anthropic;

  constructor(
    private readonly options: ModelEndpointOptions,
    private readonly metrics: ModelMetrics = sharedModelMetrics,
  ) {
    this.profile = profileFor(options);
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
    });
    if (this.profile.api === 'anthropic-messages')
      // The SDK retries 408/409/429/5xx (529 overloaded included) with backoff, honouring retry-after.
      this.anthropic = new Anthropic({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        timeout: options.timeoutMs,
        maxRetries: options.maxRetries,
      });
  }

  get model(): string {
    return this.options.model;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** The exact request body sent for `request` (what `npm run prompt:tokens` measures). */
  body(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
    return chatRequestBody(this.profile, this.options.model, request);
  }

  /**
   * One streamed request, gathered into one answer. The caller's signal aborts the stream's connection, which is what
   * stops a llama.cpp server's generation (a plain request keeps it generating after the client gave up); a stream that
   * stalls mid-answer ends there too, since the signal holds for the whole read.
   */
  private async streamed(request: ModelRequest, signal?: AbortSignal): Promise<{ choice: Choice | undefined; usage: Usage }> {
    const stream = await this.client.chat.completions.create(
      { ...this.body(request), stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    let content = '';
    let refusal: string | null = null;
    let finishReason: string | null = null;
    let usage: Usage;
    let chosen = false;
    for await (const chunk of stream) {
      const delta = chunk.choices[0];
      if (delta) {
        chosen = true;
        content += delta.delta.content ?? '';
        if (delta.delta.refusal) refusal = (refusal ?? '') + delta.delta.refusal;
        finishReason = delta.finish_reason ?? finishReason;
      }
      usage = chunk.usage ?? usage;
    }
    return {
      choice: chosen
        ? { message: { content: refusal !== null && content === '' ? null : content, refusal }, finish_reason: finishReason }
        : undefined,
      usage,
    };
  }

  /**
   * Sends one request, in a span of its own (profile, model, tokens, finish reason); the answer is returned whatever its
   * finish reason (the caller judges it, usage included).
   */
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelAnswer> {
    const attributes = {
      'gen_ai.request.model': this.options.model,
      'rap.model.profile': this.profile.name,
      'rap.model.purpose': request.purpose,
    };
    return inSpan(`model ${request.purpose}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const answer = await this.completeOnce(request, signal);
      span.setAttributes({
        'gen_ai.usage.input_tokens': answer.usage.promptTokens,
        'gen_ai.usage.output_tokens': answer.usage.completionTokens,
        'gen_ai.response.finish_reasons': [answer.finishReason ?? 'unknown'],
      });
      return answer;
    });
  }

  private async completeOnce(request: ModelRequest, signal?: AbortSignal): Promise<ModelAnswer> {
    const started = performance.now();
    const observe = (outcome: string) =>
      this.metrics.latency.observe({ purpose: request.purpose, profile: this.profile.name, outcome }, (performance.now() - started) / 1000);
    try {
      if (this.anthropic) {
        const answer = await anthropicComplete(
          this.anthropic,
          anthropicBody(this.profile, this.options.model, request, schemaFor(this.profile, request.format.schema)),
          signal,
        );
        this.metrics.tokens.inc({ purpose: request.purpose, kind: 'prompt' }, answer.usage.promptTokens);
        this.metrics.tokens.inc({ purpose: request.purpose, kind: 'completion' }, answer.usage.completionTokens);
        this.metrics.tokens.inc({ purpose: request.purpose, kind: 'cached' }, answer.usage.cachedPromptTokens);
        observe(answer.finishReason);
        return answer;
      }
      const { choice, usage: used } = this.profile.stream
        ? await this.streamed(request, signal)
        : await this.client.chat.completions.create(this.body(request), { signal }).then((c) => ({ choice: c.choices[0], usage: c.usage }));
      if (!choice) throw new Error('the endpoint answered without a choice');
      const usage = {
        promptTokens: used?.prompt_tokens ?? 0,
        completionTokens: used?.completion_tokens ?? 0,
        cachedPromptTokens: used?.prompt_tokens_details?.cached_tokens ?? 0,
      };
      this.metrics.tokens.inc({ purpose: request.purpose, kind: 'prompt' }, usage.promptTokens);
      this.metrics.tokens.inc({ purpose: request.purpose, kind: 'completion' }, usage.completionTokens);
      this.metrics.tokens.inc({ purpose: request.purpose, kind: 'cached' }, usage.cachedPromptTokens);
      observe(choice.finish_reason ?? 'stop');
      return {
        content: choice.message.content,
        refusal: choice.message.refusal ?? null,
        finishReason: choice.finish_reason ?? 'stop',
        usage,
      };
    } catch (err) {
      observe(signal?.aborted ? 'deadline' : 'error');
      throw err;
    }
  }
}

type Usage = OpenAI.Chat.Completions.ChatCompletion['usage'];
type Choice = { message: { content: string | null; refusal?: string | null }; finish_reason: string | null };

/** The chat completions body for a profile: only the parameters the profile accepts. */
function chatRequestBody(profile: ModelProfile, model: string, request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
  const schema = schemaFor(profile, request.format.schema);
  const system =
    profile.responseFormat === 'json_object'
      ? `${request.system}\n\nAnswer with one JSON object (json) valid against this JSON schema:\n${JSON.stringify(schema)}`
      : request.system;
  return {
    model,
    messages: [{ role: 'system', content: system }, ...request.messages],
    response_format:
      profile.responseFormat === 'json_object'
        ? { type: 'json_object' }
        : { type: 'json_schema', json_schema: { name: request.format.name, strict: true, schema } },
    ...(profile.temperature === null ? {} : { temperature: profile.temperature }),
    [profile.tokenLimit]: request.maxCompletionTokens,
  };
}

/**
 * The schema as this profile's provider can take it: look-ahead patterns (zod's email check) are dropped for all,
 * string length limits for grammar-based servers. Validation applies every dropped limit afterwards.
 */
function schemaFor(profile: ModelProfile, schema: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(schema);
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, unknown>;
    if (typeof record.pattern === 'string' && /\(\?[=!<]/.test(record.pattern)) delete record.pattern;
    if (typeof record.pattern === 'string') record.pattern = digitClasses(record.pattern);
    if (!profile.lengthLimitsInSchema) {
      delete record.maxLength;
      delete record.minLength;
    }
    Object.values(record).forEach(visit);
  };
  visit(copy);
  return copy;
}

/**
 * A pattern with `\d` written as `[0-9]` (inside a class, as `0-9`): the same strings, and a form every grammar compiler
 * reads (llama.cpp's reports "unsupported escape: \d" and then accepts any string).
 */
function digitClasses(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      out += next === 'd' ? (inClass ? '0-9' : '[0-9]') : c + next;
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

/** One overall deadline for a generation (every model call, its retries and the repair round): an AbortSignal. */
export function generationDeadline(ms: number): AbortSignal {
  return Object.assign(AbortSignal.timeout(ms), { deadlineMs: ms });
}

/** The deadline a signal stands for, when `generationDeadline` made it (for the CSM's note). */
export function deadlineOf(signal: AbortSignal | undefined): number | undefined {
  return (signal as (AbortSignal & { deadlineMs?: number }) | undefined)?.deadlineMs;
}

/** What went wrong with a model call, in words for the CSM (no stack, no key), and a short reason for metrics. */
export function describeModelFailure(
  err: unknown,
  o: { timeoutMs: number; deadlineMs?: number; aborted?: boolean },
): { reason: string; kind: string; providerError?: ProviderError } {
  const anthropic = describeAnthropicFailure(err, o);
  if (anthropic) return anthropic;
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  if (o.aborted || err instanceof OpenAI.APIUserAbortError)
    return { reason: `the model did not answer within the ${seconds(o.deadlineMs ?? o.timeoutMs)} generation deadline`, kind: 'deadline' };
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return { reason: `the model did not answer within ${seconds(o.timeoutMs)}`, kind: 'timeout' };
  if (err instanceof OpenAI.APIConnectionError) return { reason: 'the model endpoint could not be reached', kind: 'unreachable' };
  if (err instanceof OpenAI.RateLimitError) return { reason: 'the model endpoint is rate limited (HTTP 429)', kind: 'rate_limited' };
  if (err instanceof OpenAI.APIError) {
    const providerError = providerErrorOf(err);
    const said = providerError.message ? `: ${providerError.message.slice(0, 300)}` : '';
    return {
      reason: `the model endpoint answered HTTP ${err.status ?? 'error'}${said}`,
      kind: `http_${err.status ?? 'error'}`,
      providerError,
    };
  }
  return {
    reason: `the model request failed (${err instanceof Error ? redactSecrets(err.message).slice(0, 200) : 'unknown error'})`,
    kind: 'error',
  };
}

/** A provider's error answer as kept in the generation record (its message with secrets redacted). */
export interface ProviderError {
  status: number | null;
  code: string | null;
  param: string | null;
  message: string | null;
}

function providerErrorOf(err: InstanceType<typeof OpenAI.APIError>): ProviderError {
  const body = (err.error ?? {}) as { message?: unknown; code?: unknown; param?: unknown };
  const message = typeof body.message === 'string' ? body.message : null;
  return {
    status: err.status ?? null,
    code: typeof body.code === 'string' ? body.code : (err.code ?? null),
    param: typeof body.param === 'string' ? body.param : (err.param ?? null),
    message: message === null ? null : redactSecrets(message).slice(0, 500),
  };
}
