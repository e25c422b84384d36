import Anthropic from '@anthropic-ai/sdk';
import { redactSecrets } from '../secrets.ts';
import type { ModelProfile } from './model-profiles.ts';

/** One request in the shape both APIs share: the system text, the turns, the answer's JSON schema and its token limit. */
interface MessagesRequest {
  system: string;
  messages: { role: string; content?: unknown }[];
  format: { name: string; schema: Record<string, unknown> };
  maxCompletionTokens: number;
}

interface Answer {
  content: string | null;
  refusal: string | null;
  finishReason: string;
  usage: { promptTokens: number; completionTokens: number; cachedPromptTokens: number };
}

/**
 * The Messages API body: structured output as one forced tool whose `input_schema` is the answer's schema
 * (docs.anthropic.com/en/docs/agents-and-tools/tool-use: `tool_choice: { type: "tool", name }`); `max_tokens` is
 * required there.
 */
export function anthropicBody(profile: ModelProfile, model: string, request: MessagesRequest, schema: Record<string, unknown>) {
  return {
    model,
    max_tokens: request.maxCompletionTokens,
    system: request.system,
    messages: request.messages.map((m) => ({
      role: m.role === 'assistant' ? ('assistant' as const) : ('user' as const),
      content: String(m.content ?? ''),
    })),
    tools: [
      {
        name: request.format.name,
        description: 'Return the answer: call this tool once with the whole answer as its input.',
        input_schema: schema as Anthropic.Tool.InputSchema,
      },
    ],
    tool_choice: { type: 'tool' as const, name: request.format.name },
    ...(profile.temperature === null ? {} : { temperature: profile.temperature }),
  };
}

/**
 * One Messages API call through the official SDK, as the chat answer the planner judges: the forced tool's input as
 * the JSON content; `max_tokens` as the `length` finish; a `refusal` stop as a refusal.
 */
export async function anthropicComplete(client: Anthropic, body: ReturnType<typeof anthropicBody>, signal?: AbortSignal): Promise<Answer> {
  const message = await client.messages.create(body, { signal });
  const tool = message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
  const text = message.content
    .filter((b): b is Anthropic.TextBlock => b.type === 'text')
    .map((b) => b.text)
    .join('');
  const stop = message.stop_reason ?? 'end_turn';
  return {
    content: tool ? JSON.stringify(tool.input) : text || null,
    refusal: stop === 'refusal' ? text || 'refused' : null,
    finishReason: stop === 'max_tokens' ? 'length' : 'stop',
    usage: {
      promptTokens: message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0),
      completionTokens: message.usage.output_tokens,
      cachedPromptTokens: message.usage.cache_read_input_tokens ?? 0,
    },
  };
}

/** What went wrong with a Messages API call, as describeModelFailure says it for the chat API; undefined if not the SDK's. */
export function describeAnthropicFailure(
  err: unknown,
  o: { timeoutMs: number; deadlineMs?: number; aborted?: boolean },
):
  | {
      reason: string;
      kind: string;
      providerError?: { status: number | null; code: string | null; param: string | null; message: string | null };
    }
  | undefined {
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  if (o.aborted || err instanceof Anthropic.APIUserAbortError)
    return { reason: `the model did not answer within the ${seconds(o.deadlineMs ?? o.timeoutMs)} generation deadline`, kind: 'deadline' };
  if (err instanceof Anthropic.APIConnectionTimeoutError)
    return { reason: `the model did not answer within ${seconds(o.timeoutMs)}`, kind: 'timeout' };
  if (err instanceof Anthropic.APIConnectionError) return { reason: 'the model endpoint could not be reached', kind: 'unreachable' };
  if (!(err instanceof Anthropic.APIError)) return undefined;
  // Anthropic's error body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }.
  const body = (err.error ?? {}) as { error?: { type?: unknown; message?: unknown } };
  const message = typeof body.error?.message === 'string' ? redactSecrets(body.error.message).slice(0, 500) : null;
  const code = typeof body.error?.type === 'string' ? body.error.type : null;
  const providerError = { status: err.status ?? null, code, param: null, message };
  if (err.status === 429) return { reason: 'the model endpoint is rate limited (HTTP 429)', kind: 'rate_limited', providerError };
  if (err.status === 529) return { reason: 'the model endpoint is overloaded (HTTP 529)', kind: 'overloaded', providerError };
  return {
    reason: `the model endpoint answered HTTP ${err.status ?? 'error'}${message ? `: ${message.slice(0, 300)}` : ''}`,
    kind: `http_${err.status ?? 'error'}`,
    providerError,
  };
}
