// What each provider the local OpenAI-compatible test server stands in for refuses, from the providers' own
// documentation and reported behaviour. A request the real provider would answer with HTTP 400 gets the same 400
// here, so a test fails when the service sends what a provider refuses.
//
// Sources:
// - OpenAI chat completions reference: https://platform.openai.com/docs/api-reference/chat/create
// - OpenAI reasoning models (gpt-5 family, o-series) answer `temperature`/`top_p` other than 1 with
//   "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported."
//   (code unsupported_value) and `max_tokens` with "Unsupported parameter: 'max_tokens' is not supported with this
//   model. Use 'max_completion_tokens' instead." (code unsupported_parameter): https://platform.openai.com/docs/guides/reasoning,
//   reported e.g. in github.com/griptape-ai/ComfyUI-Griptape/issues/312 and github.com/anomalyco/opencode/issues/37964 (Azure).
// - OpenAI Structured Outputs, "Supported schemas": the root is an object (not anyOf), every object sets
//   `additionalProperties: false` and lists every property in `required`, at most 10 levels of nesting and 5000
//   properties; JSON mode needs the word "json" in the messages: https://platform.openai.com/docs/guides/structured-outputs
// - Azure OpenAI v1 API: POST {endpoint}/openai/v1/chat/completions, `api-key` or Bearer authentication:
//   https://learn.microsoft.com/en-us/azure/ai-foundry/openai/latest (deployments of reasoning models refuse as above).
// - DeepSeek JSON Output: response_format `{'type': 'json_object'}` only, "json" in the prompt, `max_tokens`:
//   https://api-docs.deepseek.com/guides/json_mode
// - llama.cpp server: a JSON schema is compiled to a GBNF grammar; a nested string `maxLength` of 2000 or more makes
//   the request fail with HTTP 400 "Failed to initialize samplers: failed to parse grammar"
//   (github.com/ggml-org/llama.cpp/issues/25746, /26596, /17473).
// - llama.cpp's JSON-schema-to-grammar converter (common/json-schema-to-grammar.cpp, the one llama-server uses; the
//   keywords it does not support are listed in grammars/README.md, "JSON Schemas → GBNF"): a pattern must be anchored
//   `^…$`, and within it the class escapes `\d \w \s` (and their negations) and look-around are not understood; it
//   logs "unsupported escape: \d" and accepts any string for the property (issue 24 saw it against llama-server). This
//   stand-in refuses such a schema with HTTP 400 naming the construct, so a test fails where llama.cpp would silently
//   leave the property unconstrained.
// - Ollama OpenAI compatibility, supported request fields (max_tokens, not max_completion_tokens):
//   https://docs.ollama.com/api/openai-compatibility. Ollama ignores other fields; this stand-in refuses them so a
//   test sees a limit that would be ignored.

type Provider = 'openai' | 'azure-v1' | 'vllm' | 'deepseek' | 'llama.cpp' | 'ollama';

interface ProviderError {
  status: number;
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's reasoning models by name (the gpt-5 family but gpt-5-chat, and the o-series). */
const OPENAI_REASONING_MODEL = /^(?:o\d+(?:-[\w.-]+)?|gpt-5(?!-chat)[\w.-]*)$/i;

const OPENAI_PARAMS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'response_format',
  'n',
  'stop',
  'seed',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning_effort',
  'verbosity',
  'user',
  'metadata',
  'store',
  'logprobs',
  'top_logprobs',
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'service_tier',
  'prompt_cache_key',
  'safety_identifier',
]);
const OLLAMA_PARAMS = new Set([
  'model',
  'messages',
  'frequency_penalty',
  'presence_penalty',
  'response_format',
  'seed',
  'stop',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'max_tokens',
  'tools',
  'tool_choice',
  'reasoning_effort',
  'reasoning',
  'logprobs',
  'top_logprobs',
  'user',
]);

export interface ProviderOptions {
  provider: Provider;
  /** Model (or deployment) names that behave as reasoning models; default: OpenAI's by name. */
  reasoningModels?: RegExp;
}

const invalid = (message: string, param: string | null = null, code: string | null = null): ProviderError => ({
  status: 400,
  error: { message, type: 'invalid_request_error', param, code },
});

/** The path a provider serves chat completions on. */
export function chatPath(provider: Provider): string {
  return provider === 'azure-v1' ? '/openai/v1/chat/completions' : '/v1/chat/completions';
}

/** The provider's HTTP 400 for this request body, or undefined when the provider accepts it. */
export function rejection(options: ProviderOptions, body: Record<string, unknown>): ProviderError | undefined {
  const { provider } = options;
  const model = String(body.model ?? '');
  const format = body.response_format as { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } } | undefined;
  const messagesText = JSON.stringify(body.messages ?? []).toLowerCase();

  if (provider === 'openai' || provider === 'azure-v1') {
    for (const key of Object.keys(body)) if (!OPENAI_PARAMS.has(key)) return invalid(`Unrecognized request argument supplied: ${key}`);
    const reasoning = (options.reasoningModels ?? OPENAI_REASONING_MODEL).test(model);
    if (reasoning) {
      for (const p of ['temperature', 'top_p'])
        if (p in body && body[p] !== 1)
          return invalid(
            `Unsupported value: '${p}' does not support ${String(body[p])} with this model. Only the default (1) value is supported.`,
            p,
            'unsupported_value',
          );
      if ('max_tokens' in body)
        return invalid(
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          'max_tokens',
          'unsupported_parameter',
        );
    }
    if (format?.type === 'json_schema' && format.json_schema?.strict) {
      const problem = strictSchemaProblem(format.json_schema.schema);
      if (problem)
        return invalid(
          `Invalid schema for response_format '${format.json_schema.name}': ${problem}`,
          'response_format',
          'invalid_json_schema',
        );
    }
    if (format?.type === 'json_object' && !messagesText.includes('json'))
      return invalid("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages');
  }
  if (provider === 'deepseek') {
    if (format && format.type !== 'json_object' && format.type !== 'text')
      return invalid('This response_format type is unavailable now', 'response_format');
    if (format?.type === 'json_object' && !messagesText.includes('json'))
      return invalid("Prompt must contain the word 'json' in some form to use 'response_format' of type 'json_object'.", 'messages');
  }
  if (provider === 'ollama') {
    for (const key of Object.keys(body))
      if (!OLLAMA_PARAMS.has(key)) return invalid(`unsupported request field ${key} (Ollama would ignore it)`, key);
  }
  if ((provider === 'llama.cpp' || provider === 'ollama') && format?.type === 'json_schema') {
    if (grammarTooLarge(format.json_schema?.schema, 0)) return invalid('Failed to initialize samplers: failed to parse grammar', null);
    const unsupported = grammarUnsupported(format.json_schema?.schema);
    if (unsupported)
      return invalid(`JSON schema conversion: ${unsupported} (the grammar would accept any string there)`, 'response_format');
  }
  return undefined;
}

/** The first rule of OpenAI's strict structured-output subset the schema breaks, in OpenAI's words. */
function strictSchemaProblem(schema: unknown): string | undefined {
  const root = schema as Record<string, unknown> | undefined;
  if (!root || root.type !== 'object')
    return `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(root?.type ?? 'None')}"'.`;
  let properties = 0;
  const visit = (node: unknown, path: string, depth: number): string | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) {
        const p = visit(n, `${path}[${i}]`, depth);
        if (p) return p;
      }
      return undefined;
    }
    const record = node as Record<string, unknown>;
    for (const k of ['allOf', 'not', 'if', 'then', 'else', 'patternProperties', 'dependentRequired', 'dependentSchemas', 'default'])
      if (k in record) return `In context=(${path}), '${k}' is not permitted.`;
    if (typeof record.pattern === 'string' && /\(\?[=!<]/.test(record.pattern))
      return `In context=(${path}), look-around in 'pattern' is not supported.`;
    if (record.type === 'object' || record.properties) {
      if (depth > 10) return `In context=(${path}), the schema nests deeper than 10 levels.`;
      if (record.additionalProperties !== false)
        return `In context=(${path}), 'additionalProperties' is required to be supplied and to be false.`;
      const keys = Object.keys((record.properties ?? {}) as object);
      properties += keys.length;
      const required = new Set((record.required ?? []) as string[]);
      const missing = keys.find((k) => !required.has(k));
      if (missing)
        return `In context=(${path}), 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    }
    for (const [k, v] of Object.entries(record)) {
      const p = visit(v, `${path}, '${k}'`, k === 'properties' ? depth + 1 : depth);
      if (p) return p;
    }
    return undefined;
  };
  const problem = visit(root, "'$'", 1);
  if (problem) return problem;
  return properties > 5000 ? `the schema has ${properties} properties; at most 5000 are allowed.` : undefined;
}

/** llama.cpp's grammar compiler: a string `maxLength` of 2000 or more below the top-level properties fails. */
function grammarTooLarge(node: unknown, depth: number): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => grammarTooLarge(n, depth));
  const record = node as Record<string, unknown>;
  if (depth > 1 && typeof record.maxLength === 'number' && record.maxLength >= 2000) return true;
  return Object.entries(record).some(([k, v]) => grammarTooLarge(v, k === 'properties' ? depth + 1 : depth));
}

/** Keywords llama.cpp's JSON-schema-to-grammar converter documents as not supported (grammars/README.md). */
const GRAMMAR_UNSUPPORTED_KEYWORDS = [
  'uniqueItems',
  'contains',
  'minContains',
  'maxContains',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'dependentRequired',
  'dependentSchemas',
  '$anchor',
];

/** The first construct of a schema llama.cpp's grammar converter does not support, in its words, or undefined. */
export function grammarUnsupported(node: unknown, path = '$'): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) {
      const p = grammarUnsupported(n, `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  const record = node as Record<string, unknown>;
  const inProperties = path.endsWith('.properties');
  if (!inProperties) {
    const keyword = GRAMMAR_UNSUPPORTED_KEYWORDS.find((k) => k in record);
    if (keyword) return `unsupported keyword '${keyword}' at ${path}`;
    if (typeof record.pattern === 'string') {
      const pattern = record.pattern;
      if (!pattern.startsWith('^') || !pattern.endsWith('$')) return `pattern must start with "^" and end with "$" at ${path}`;
      const escape = /\\[dDwWsSbB]/.exec(pattern.replace(/\\\\/g, ''));
      if (escape) return `unsupported escape: ${escape[0]} at ${path}`;
      if (/\(\?[=!<]/.test(pattern)) return `unsupported look-around at ${path}`;
    }
  }
  for (const [k, v] of Object.entries(record)) {
    const p = grammarUnsupported(v, `${path}.${k}`);
    if (p) return p;
  }
  return undefined;
}
