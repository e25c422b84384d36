// Local OpenAI-compatible test server (it is not OpenAI): speaks the chat completions wire format so the real
// `openai` SDK can be pointed at it with `baseURL`, and answers from a script the test writes. It stands in for one
// provider at a time (OpenAI by default) and refuses what that provider refuses (see providers.ts), before any
// scripted answer is used.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chatPath, rejection, type ProviderOptions } from './providers.ts';

interface RecordedRequest {
  /** The whole request body, every parameter as sent. */
  body: Record<string, unknown>;
  /** The provider's HTTP 400 for this request, when it refused it. */
  refused?: string;
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  headers: Record<string, string | string[] | undefined>;
  /** A streamed answer's connection closed before the answer ended (the client aborted: the server stops generating). */
  abandoned?: boolean;
}

/** One scripted answer. A function computes it from the request (for example to echo ids back). */
export type ScriptedReply =
  | { content: string | object; finishReason?: 'stop' | 'length' | 'content_filter' }
  | { refusal: string }
  | { status: number; message?: string; headers?: Record<string, string> }
  | { hang: true }
  /** Streams the first half of `content` (to a streaming request) and then nothing: a server stalled mid-answer. */
  | { streamStall: string }
  /** Answers `reply` only once `until` settles (the client may have given up by then: a late answer). */
  | { stall: Promise<unknown>; reply: ScriptedReply }
  | ((request: RecordedRequest) => ScriptedReply);

export interface OpenAiTestServer {
  /** The base URL for the SDK (`.../v1`). */
  url: string;
  /** Queues answers, used in order, one per request (SDK retries included). */
  script(...replies: ScriptedReply[]): void;
  requests: RecordedRequest[];
  /**
   * A standing answer for every request once the script is used up (a stand-in model in one mode for a whole
   * evaluation run); undefined removes it.
   */
  respondWith(reply: ScriptedReply | undefined): void;
  /** Answers not yet used: a test can assert the script was consumed exactly. */
  pending(): number;
  /** Drops the answers not yet used. */
  clear(): void;
  close(): Promise<void>;
}

/** Starts the local OpenAI-compatible test server on a free port of 127.0.0.1, standing in for `options.provider`. */
export async function startOpenAiTestServer(options: ProviderOptions = { provider: 'openai' }): Promise<OpenAiTestServer> {
  const path = chatPath(options.provider);
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let standing: ScriptedReply | undefined;

  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== path)
      return send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    const body = JSON.parse(await readBody(req)) as Omit<RecordedRequest, 'headers' | 'body'>;
    const request: RecordedRequest = { ...body, body: body as Record<string, unknown>, headers: req.headers };
    requests.push(request);
    const refused = rejection(options, request.body);
    if (refused) {
      request.refused = refused.error.message;
      return send(res, refused.status, { error: refused.error });
    }
    let reply = queue.shift() ?? standing;
    while (typeof reply === 'function') reply = reply(request);
    if (reply && 'stall' in reply) {
      await reply.stall.catch(() => undefined);
      reply = reply.reply;
      while (typeof reply === 'function') reply = reply(request);
    }
    if (!reply)
      return send(res, 500, {
        error: { message: 'the local OpenAI-compatible test server has no scripted answer left', type: 'server_error' },
      });
    if ('hang' in reply) return; // never answers: the client's timeout must end the request
    if ('streamStall' in reply) {
      if (!request.body.stream) throw new Error('streamStall answers a streaming request');
      req.socket.once('close', () => void (request.abandoned = true));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(chunkOf(request, reply.streamStall.slice(0, reply.streamStall.length / 2), null)));
      return; // the rest never comes: the client's deadline must end the stream
    }
    if ('stall' in reply) throw new Error('a stalled reply cannot stall again');
    if ('status' in reply)
      // Retry-After-Ms keeps the SDK's retries immediate; the retry policy itself is the SDK's.
      return send(
        res,
        reply.status,
        { error: { message: reply.message ?? `scripted ${reply.status}`, type: 'server_error' } },
        { 'retry-after-ms': '1', ...reply.headers },
      );
    const prompt = body.messages.reduce((n, m) => n + Math.ceil(String(m.content).length / 4), 0);
    const content = 'refusal' in reply ? null : typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content);
    const finishReason = 'finishReason' in reply && reply.finishReason ? reply.finishReason : 'stop';
    const usage = {
      prompt_tokens: prompt,
      completion_tokens: Math.ceil((content ?? '').length / 4),
      total_tokens: prompt + Math.ceil((content ?? '').length / 4),
      prompt_tokens_details: { cached_tokens: 0 },
    };
    if (request.body.stream) {
      // Server-sent events as OpenAI streams them: content deltas, the finish reason, the usage chunk when asked, [DONE].
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const text = content ?? '';
      for (let i = 0; i < text.length; i += 200) res.write(sse(chunkOf(request, text.slice(i, i + 200), null)));
      if ('refusal' in reply)
        res.write(sse({ ...chunkOf(request, '', null), choices: [{ index: 0, delta: { refusal: reply.refusal }, finish_reason: null }] }));
      res.write(sse(chunkOf(request, '', finishReason)));
      if ((request.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage)
        res.write(sse({ ...chunkOf(request, '', null), choices: [], usage }));
      return res.end('data: [DONE]\n\n');
    }
    send(res, 200, {
      id: `chatcmpl-test-${requests.length}`,
      object: 'chat.completion',
      created: 1_790_000_000,
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: 'refusal' in reply ? reply.refusal : null },
          finish_reason: finishReason,
          logprobs: null,
        },
      ],
      usage,
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path.replace(/\/chat\/completions$/, '')}`,
    script: (...replies) => void queue.push(...replies),
    respondWith: (reply) => void (standing = reply),
    requests,
    pending: () => queue.length,
    clear: () => void queue.splice(0),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function chunkOf(request: RecordedRequest, content: string, finishReason: string | null) {
  return {
    id: 'chatcmpl-test-stream',
    object: 'chat.completion.chunk',
    created: 1_790_000_000,
    model: request.model,
    choices: [{ index: 0, delta: content ? { content } : {}, finish_reason: finishReason }],
  };
}

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.destroyed) return; // the client gave up (its deadline): a late answer goes nowhere
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
