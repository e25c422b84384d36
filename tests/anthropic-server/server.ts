// Local Anthropic Messages API test server (it is not Anthropic): speaks POST /v1/messages so the official
// `@anthropic-ai/sdk` can be pointed at it with `baseURL`, refuses what the API documents refusing before any scripted
// answer is used, and answers from a script the test writes.
//
// Sources:
// - Messages API: https://docs.anthropic.com/en/api/messages (model, max_tokens and messages required; temperature 0-1;
//   tools with input_schema; tool_choice { type: "tool", name } forces that tool).
// - Versions: https://docs.anthropic.com/en/api/versioning ("anthropic-version" header required; the SDK sends its own).
// - Errors: https://docs.anthropic.com/en/api/errors (body { type: "error", error: { type, message } }; 400
//   invalid_request_error, 401 authentication_error, 429 rate_limit_error with a retry-after header, 529
//   overloaded_error).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

interface RecordedRequest {
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** The API's error message when it refused the request. */
  refused?: string;
}

type Reply =
  | { toolInput: unknown }
  | { text: string; stopReason?: 'end_turn' | 'max_tokens' | 'refusal' }
  | { status: 429 | 529 | 500; retryAfter?: string }
  | { hang: true }
  | ((request: RecordedRequest) => Reply);

export interface AnthropicTestServer {
  /** The base URL for the SDK (it appends /v1/messages). */
  url: string;
  script(...replies: Reply[]): void;
  requests: RecordedRequest[];
  pending(): number;
  close(): Promise<void>;
}

const TOP_LEVEL = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'stream',
  'metadata',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const ERROR_TYPES: Record<number, string> = { 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };

/** The API's refusal of a request (status, error type, message), or undefined when it would accept it. */
function refusal(req: IncomingMessage, body: Record<string, unknown>): [number, string, string] | undefined {
  // The key travels as x-api-key (the API reference) or as a Bearer token (how @anthropic-ai/sdk 1.x sends it).
  if (!req.headers['x-api-key'] && !/^Bearer \S+$/.test(String(req.headers.authorization ?? '')))
    return [401, 'authentication_error', 'x-api-key header is required'];
  if (!req.headers['anthropic-version']) return [400, 'invalid_request_error', 'anthropic-version: header is required'];
  for (const key of Object.keys(body))
    if (!TOP_LEVEL.has(key)) return [400, 'invalid_request_error', `${key}: Extra inputs are not permitted`];
  for (const key of ['model', 'max_tokens', 'messages'])
    if (!(key in body)) return [400, 'invalid_request_error', `${key}: Field required`];
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)
    return [400, 'invalid_request_error', 'max_tokens: Input should be greater than or equal to 1'];
  if ('temperature' in body && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1))
    return [400, 'invalid_request_error', 'temperature: Input should be less than or equal to 1'];
  const messages = body.messages as { role?: string; content?: unknown }[];
  if (!Array.isArray(messages) || messages.length === 0)
    return [400, 'invalid_request_error', 'messages: at least one message is required'];
  for (const [i, m] of messages.entries()) {
    if (m.role !== 'user' && m.role !== 'assistant')
      return [400, 'invalid_request_error', `messages.${i}.role: Input should be 'user' or 'assistant'`];
    if (typeof m.content === 'string' && m.content.length === 0)
      return [400, 'invalid_request_error', `messages.${i}: all messages must have non-empty content`];
  }
  const tools = (body.tools ?? []) as { name?: string; input_schema?: { type?: string } }[];
  for (const [i, t] of tools.entries()) {
    if (!t.name || !TOOL_NAME.test(t.name))
      return [400, 'invalid_request_error', `tools.${i}.name: String should match pattern '${TOOL_NAME.source}'`];
    if (t.input_schema?.type !== 'object') return [400, 'invalid_request_error', `tools.${i}.input_schema.type: Input should be 'object'`];
  }
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  if (choice?.type === 'tool' && !tools.some((t) => t.name === choice.name))
    return [400, 'invalid_request_error', `tool_choice: tool '${choice.name}' is not in tools`];
  return undefined;
}

/** Starts the local Anthropic Messages API test server on a free port of 127.0.0.1. */
export async function startAnthropicTestServer(): Promise<AnthropicTestServer> {
  const queue: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages')
      return error(res, 404, 'not_found_error', `no route ${req.method} ${req.url}`);
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const request: RecordedRequest = { body, headers: req.headers };
    requests.push(request);
    const refused = refusal(req, body);
    if (refused) {
      request.refused = refused[2];
      return error(res, ...refused);
    }
    let reply = queue.shift();
    while (typeof reply === 'function') reply = reply(request);
    if (!reply) return error(res, 500, 'api_error', 'the local Anthropic test server has no scripted answer left');
    if ('hang' in reply) return;
    if ('status' in reply)
      return error(
        res,
        reply.status,
        ERROR_TYPES[reply.status]!,
        reply.status === 529 ? 'Overloaded' : `scripted ${reply.status}`,
        reply.retryAfter ? { 'retry-after': reply.retryAfter } : {},
      );
    const tool = (body.tool_choice as { name?: string } | undefined)?.name ?? 'answer';
    const content =
      'toolInput' in reply
        ? [{ type: 'tool_use', id: `toolu_test_${requests.length}`, name: tool, input: reply.toolInput }]
        : [{ type: 'text', text: reply.text }];
    const input = Math.ceil(JSON.stringify(body.messages).length / 4) + Math.ceil(String(body.system ?? '').length / 4);
    send(res, 200, {
      id: `msg_test_${requests.length}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: 'toolInput' in reply ? 'tool_use' : (reply.stopReason ?? 'end_turn'),
      stop_sequence: null,
      usage: {
        input_tokens: input,
        output_tokens: Math.ceil(JSON.stringify(content).length / 4),
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script: (...replies) => void queue.push(...replies),
    requests,
    pending: () => queue.length,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function error(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}) {
  send(res, status, { type: 'error', error: { type, message } }, headers);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
