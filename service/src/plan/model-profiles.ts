import { z } from 'zod';

/**
 * What one kind of OpenAI-compatible endpoint accepts. The request is built from the profile, so the service never
 * sends a parameter the provider refuses (a refused parameter is an HTTP 400, and every plan would silently come
 * from the playbook).
 */
export interface ModelProfile {
  name: ProfileName;
  /** OpenAI's chat completions (every OpenAI-compatible server), or Anthropic's Messages API through its own SDK. */
  api: 'chat' | 'anthropic-messages';
  /** The sampling temperature to send, or null to send none (reasoning models accept only their default). */
  temperature: number | null;
  /** The name of the output-token limit this provider reads. */
  tokenLimit: 'max_completion_tokens' | 'max_tokens';
  /** Strict `json_schema` structured output, or `json_object` (JSON mode) with the schema given in the prompt. */
  responseFormat: 'json_schema' | 'json_object';
  /**
   * Grammar-based servers (llama.cpp, Ollama) compile the schema into a grammar whose compiler fails on large nested
   * `maxLength` bounds: for them length limits are left to validation, which applies them anyway.
   */
  lengthLimitsInSchema: boolean;
  /**
   * Stream the answer: a server generating on a CPU for minutes stops when the stream's connection closes (an abort at
   * the deadline), where a plain request would keep it generating for no one; a stalled stream ends at the deadline.
   */
  stream: boolean;
}

const PROFILE_NAMES = [
  'openai',
  'openai-reasoning',
  'azure-v1',
  'compatible-json-schema',
  'compatible-json-object',
  'grammar',
  'anthropic',
] as const;
export const ProfileName = z.enum(PROFILE_NAMES);
export type ProfileName = z.infer<typeof ProfileName>;

const PROFILES: Record<ProfileName, Omit<ModelProfile, 'name'>> = {
  openai: {
    api: 'chat',
    temperature: 0.2,
    tokenLimit: 'max_completion_tokens',
    responseFormat: 'json_schema',
    lengthLimitsInSchema: true,
    stream: false,
  },
  // gpt-5 family and o-series: `temperature`/`top_p` other than the default and `max_tokens` are HTTP 400.
  'openai-reasoning': {
    api: 'chat',
    temperature: null,
    tokenLimit: 'max_completion_tokens',
    responseFormat: 'json_schema',
    lengthLimitsInSchema: true,
    stream: false,
  },
  // Azure OpenAI's v1 endpoint (…/openai/v1/): the model is a deployment name, which need not say whether it is a
  // reasoning model, so no temperature is sent (every model accepts the default).
  'azure-v1': {
    api: 'chat',
    temperature: null,
    tokenLimit: 'max_completion_tokens',
    responseFormat: 'json_schema',
    lengthLimitsInSchema: true,
    stream: false,
  },
  // vLLM, LiteLLM and other servers with strict json_schema support.
  'compatible-json-schema': {
    api: 'chat',
    temperature: 0.2,
    tokenLimit: 'max_tokens',
    responseFormat: 'json_schema',
    lengthLimitsInSchema: true,
    stream: false,
  },
  // DeepSeek and other providers with JSON mode only: response_format json_object, "json" in the prompt, max_tokens.
  'compatible-json-object': {
    api: 'chat',
    temperature: 0.2,
    tokenLimit: 'max_tokens',
    responseFormat: 'json_object',
    lengthLimitsInSchema: true,
    stream: false,
  },
  // llama.cpp's server and Ollama: json_schema compiled to a grammar; max_tokens.
  grammar: {
    api: 'chat',
    temperature: 0.2,
    tokenLimit: 'max_tokens',
    responseFormat: 'json_schema',
    lengthLimitsInSchema: false,
    stream: true,
  },
  // Anthropic's Messages API (its OpenAI-compatible endpoint ignores response_format): the answer's schema is a forced
  // tool's input_schema; max_tokens is the limit it requires. Nothing is streamed: an abort closes the request.
  anthropic: {
    api: 'anthropic-messages',
    temperature: 0.2,
    tokenLimit: 'max_tokens',
    responseFormat: 'json_schema',
    lengthLimitsInSchema: true,
    stream: false,
  },
};

/** OpenAI's reasoning models by name: the gpt-5 family (not gpt-5-chat) and the o-series. */
const REASONING_MODEL = /^(?:[\w.-]+\/)?(?:o\d+(?:-[\w.-]+)?|gpt-5(?!-chat)(?:[\w.-]*)?)$/i;
const AZURE_HOST = /\.(?:openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i;

/**
 * The profile for a configured endpoint: `OPENAI_PROFILE` when set; else Azure by host name; a reasoning model by its
 * name on any host (a gateway such as LiteLLM or a corporate proxy forwards the parameters OpenAI refuses for it);
 * OpenAI when no base URL is set; DeepSeek by host name; otherwise a server with strict json_schema support (set
 * OPENAI_PROFILE=grammar for llama.cpp or Ollama, compatible-json-object for JSON-mode-only providers).
 * @example profileFor({ model: 'gpt-5-mini', baseURL: 'https://llm-gateway.example/v1' }).name === 'openai-reasoning'
 */
export function profileFor(o: { model: string; baseURL?: string; profile?: ProfileName }): ModelProfile {
  const name = o.profile ?? detect(o.model, o.baseURL);
  return { name, ...PROFILES[name] };
}

function detect(model: string, baseURL: string | undefined): ProfileName {
  const host = baseURL ? new URL(baseURL).hostname : 'api.openai.com';
  if (AZURE_HOST.test(host)) return 'azure-v1';
  if (host === 'api.anthropic.com') return 'anthropic';
  if (REASONING_MODEL.test(model)) return 'openai-reasoning';
  if (host === 'api.openai.com') return 'openai';
  if (host === 'api.deepseek.com') return 'compatible-json-object';
  return 'compatible-json-schema';
}
