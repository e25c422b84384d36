import { createSign, randomUUID } from 'node:crypto';
import { Connection } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import type { SalesforceLogin } from '../config.ts';
import { wallClockMs } from '../clock.ts';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** A signed JWT bearer assertion (RS256) for the OAuth 2.0 JWT bearer flow of a connected app. */
function jwtAssertion(opts: { clientId: string; username: string; audience: string; privateKey: string; now?: number }): string {
  const iat = Math.floor((opts.now ?? wallClockMs()) / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ iss: opts.clientId, sub: opts.username, aud: opts.audience, exp: iat + 180, jti: randomUUID() }));
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(opts.privateKey);
  return `${header}.${claims}.${b64url(signature)}`;
}

const PRODUCTION_AUDIENCE = 'https://login.salesforce.com';
const SANDBOX_AUDIENCE = 'https://test.salesforce.com';

/**
 * The JWT `aud` Salesforce accepts: the authorization server, login.salesforce.com or (sandboxes)
 * test.salesforce.com — never a My Domain URL, even when the token request goes to My Domain, as the Salesforce
 * CLI does. A sandbox is recognised by test.salesforce.com or its My Domain (`acme--uat.sandbox.my.salesforce.com`,
 * or the older `acme--uat.my.salesforce.com`).
 */
export function jwtAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname.toLowerCase();
  const sandbox =
    host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com') || /--[a-z0-9]+\.my\.salesforce\.com$/.test(host);
  return sandbox ? SANDBOX_AUDIENCE : PRODUCTION_AUDIENCE;
}

/**
 * jsforce retries GET requests on 420/429/5xx up to 5 times over ~15 s on its own. The service's retry policy
 * (retry.ts) sits on top, so jsforce's own loop is kept short: an interactive request must fail in seconds.
 */
const JSFORCE_RETRY = { maxRetries: 2, minTimeout: 300, timeoutFactor: 2 };
/** A request with no answer after this long is aborted (jsforce's own default is 30 minutes). */
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

function boundRetries(conn: Connection, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Connection {
  const transport = (
    conn as unknown as {
      _transport: { httpRequest: (req: unknown, options?: { timeout?: number; retry?: Record<string, unknown> }) => unknown };
    }
  )._transport;
  const send = transport.httpRequest.bind(transport);
  transport.httpRequest = (req, options = {}) =>
    send(req, { timeout: timeoutMs, ...options, retry: { ...JSFORCE_RETRY, ...options.retry } });
  return conn;
}

/**
 * jsforce's HttpApiError keeps neither the HTTP status nor the headers of the response (an HTML 503 maintenance page
 * becomes `ERROR_HTTP_503` and nothing else). Keep both facts the classification needs: `statusCode` and the
 * `Retry-After` header. Applied once to jsforce's HttpApi, which every REST call goes through.
 */
const proto = HttpApi.prototype as unknown as {
  getError(response: { statusCode: number; headers: Record<string, string> }, body?: unknown): Promise<Error>;
  __keepsStatus?: boolean;
};
if (!proto.__keepsStatus) {
  const getError = proto.getError;
  proto.getError = async function (this: unknown, response, body) {
    const err = (await getError.call(this, response, body)) as Error & { statusCode?: number; retryAfter?: string };
    err.statusCode ??= response.statusCode;
    const retryAfter = response.headers?.['retry-after'];
    if (retryAfter) err.retryAfter = retryAfter;
    return err;
  };
  proto.__keepsStatus = true;
}

/**
 * A jsforce connection for the configured login. With the JWT flow, a fresh token is minted at start and
 * again whenever Salesforce answers INVALID_SESSION_ID (jsforce's refresh delegate replays the request).
 */
export async function connectSalesforce(
  login: SalesforceLogin,
  emulator?: { url: string; accessToken: string },
  opts: { timeoutMs?: number } = {},
): Promise<Connection> {
  const version = login.apiVersion;
  const bound = (conn: Connection) => boundRetries(conn, opts.timeoutMs);
  if (login.mode === 'token') return bound(new Connection({ instanceUrl: login.instanceUrl, accessToken: login.accessToken, version }));
  if (login.mode === 'emulator') {
    if (!emulator) throw new Error('the org emulator must be running in emulator mode');
    return bound(new Connection({ instanceUrl: emulator.url, accessToken: emulator.accessToken, version }));
  }
  const mint = async (conn: Connection) => {
    const assertion = jwtAssertion({ ...login, audience: jwtAudience(login.loginUrl) });
    const res = await conn.oauth2.requestToken({ grant_type: JWT_GRANT, assertion });
    conn.instanceUrl = res.instance_url;
    return res;
  };
  const conn: Connection = new Connection({
    loginUrl: login.loginUrl,
    version,
    refreshFn: (c, callback) => {
      mint(c as Connection).then(
        (res) => callback(null, res.access_token, res),
        (err: Error) => callback(err),
      );
    },
  });
  const first = await mint(conn);
  conn.accessToken = first.access_token;
  return bound(conn);
}
