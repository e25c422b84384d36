import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSalesforce } from './connection.ts';
import { kindOfCode, parseRetryAfter, recordError, toSalesforceError } from './errors.ts';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const html =
  (status: number, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html', ...headers });
    res.end(`<html><body><h1>Down for maintenance</h1><p>${status}</p></body></html>`);
  };
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  };

/**
 * The errors jsforce itself throws, produced by the real jsforce client (through the service's connection, with its
 * timeout and its status-keeping adapter) against a local HTTP server answering as Salesforce and its proxies do.
 */
describe('Salesforce error classification (errors thrown by jsforce)', () => {
  let server: Server;
  let conn: Connection;
  let answer: Answer = json(200, {});
  const sockets = new Set<import('node:net').Socket>();

  beforeAll(async () => {
    server = createServer((req, res) => answer(req, res));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    conn = await connectSalesforce({ mode: 'token', instanceUrl: url, accessToken: 'test-token', apiVersion: '62.0' }, undefined, {
      timeoutMs: 300,
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  /** What jsforce throws for a create (POST: jsforce never retries it) answered by `a`. */
  async function thrownByCreate(a: Answer): Promise<unknown> {
    answer = a;
    const err = await conn
      .sobject('Task')
      .create({ Subject: 'x' } as never)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err, 'jsforce should have thrown').toBeDefined();
    return err;
  }

  it.each([429, 500, 502, 503, 504])('an HTML %i page (no JSON body) is retryable', async (status) => {
    const raw = await thrownByCreate(html(status));
    expect(raw).toMatchObject({ errorCode: `ERROR_HTTP_${status}` });
    expect(toSalesforceError(raw)).toMatchObject({ code: `ERROR_HTTP_${status}`, kind: 'retryable', status });
  });

  it('classifies on the ERROR_HTTP_ code alone, as jsforce leaves it without a status', () => {
    expect(kindOfCode('ERROR_HTTP_503')).toBe('retryable');
    expect(kindOfCode('ERROR_HTTP_429')).toBe('retryable');
    expect(kindOfCode('ERROR_HTTP_404')).toBe('permanent');
  });

  it('honours Retry-After on a 429 (seconds and HTTP date)', async () => {
    const raw = await thrownByCreate(html(429, { 'retry-after': '120' }));
    expect(toSalesforceError(raw)).toMatchObject({ kind: 'retryable', retryAfterMs: 120_000 });
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('2026-10-21T07:27:00Z'))).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('reads Salesforce JSON errors: SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW, DUPLICATE_VALUE retryable; validation permanent', async () => {
    const err = (code: string, status: number) => json(status, [{ message: `${code} happened`, errorCode: code, fields: [] }]);
    expect(toSalesforceError(await thrownByCreate(err('SERVER_UNAVAILABLE', 503)))).toMatchObject({
      code: 'SERVER_UNAVAILABLE',
      kind: 'retryable',
      status: 503,
    });
    expect(toSalesforceError(await thrownByCreate(err('UNABLE_TO_LOCK_ROW', 400)))).toMatchObject({
      code: 'UNABLE_TO_LOCK_ROW',
      kind: 'retryable',
    });
    expect(toSalesforceError(await thrownByCreate(err('DUPLICATE_VALUE', 400)))).toMatchObject({
      code: 'DUPLICATE_VALUE',
      kind: 'retryable',
    });
    expect(toSalesforceError(await thrownByCreate(err('FIELD_CUSTOM_VALIDATION_EXCEPTION', 400)))).toMatchObject({
      kind: 'permanent',
      status: 400,
    });
    expect(toSalesforceError(await thrownByCreate(err('REQUEST_LIMIT_EXCEEDED', 403)))).toMatchObject({ kind: 'rate_limited' });
    expect(toSalesforceError(await thrownByCreate(err('INVALID_SESSION_ID', 401)))).toMatchObject({ kind: 'auth' });
  });

  it('treats a connection reset as retryable', async () => {
    const raw = await thrownByCreate((req) => req.socket.destroy());
    expect(toSalesforceError(raw)).toMatchObject({ kind: 'retryable' });
    expect(toSalesforceError(raw).code).toMatch(/ECONNRESET|NETWORK_ERROR/);
  });

  it('treats a request that gets no answer as a retryable timeout', async () => {
    const raw = await thrownByCreate(() => undefined);
    expect(toSalesforceError(raw)).toMatchObject({ code: 'TIMEOUT', kind: 'retryable' });
  });

  it('classifies a query (GET, which jsforce retries itself first) still failing with an HTML 503 as retryable', async () => {
    let calls = 0;
    answer = (req, res) => {
      calls++;
      html(503)(req, res);
    };
    // jsforce's timeout covers its own retries of a GET (300 + 600 ms of backoff here), so give it room.
    const patient = await connectSalesforce(
      { mode: 'token', instanceUrl: conn.instanceUrl, accessToken: 'test-token', apiVersion: '62.0' },
      undefined,
      { timeoutMs: 10_000 },
    );
    const raw = await patient.query('SELECT Id FROM Task').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(calls).toBe(3);
    expect(toSalesforceError(raw)).toMatchObject({ code: 'ERROR_HTTP_503', kind: 'retryable' });
  });

  it('turns a per-record failure of a 200 collection response into an error, and a success into none', () => {
    expect(recordError({ success: true, id: '00T000000000001AAA', errors: [] })).toBeUndefined();
    const err = recordError({ success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] }] });
    expect(err).toMatchObject({ code: 'UNABLE_TO_LOCK_ROW', kind: 'retryable' });
    expect(recordError({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE', message: 'dup', fields: [] }] })?.kind).toBe(
      'retryable',
    );
    expect(
      recordError({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Subject', fields: ['Subject'] }] })?.kind,
    ).toBe('permanent');
  });
});
