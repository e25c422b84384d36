import { createPrivateKey, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';
import { Connection, type HttpRequest, type HttpRequestOptions, type HttpResponse } from 'jsforce';
import { StreamPromise } from 'jsforce/lib/util/promise.js';
import type { SalesforceLogin } from '../config.ts';
import { wallClockMs } from '../clock.ts';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * A signed JWT bearer assertion (RS256) for the OAuth 2.0 JWT bearer flow of a connected app: `iss` the consumer key,
 * `sub` the username, `aud` the authorization server, `exp` three minutes on (the most Salesforce accepts).
 */
export async function jwtBearerAssertion(opts: {
  clientId: string;
  username: string;
  audience: string;
  privateKey: string;
  now?: number;
}): Promise<string> {
  const iat = Math.floor((opts.now ?? wallClockMs()) / 1000);
  return new SignJWT()
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(opts.clientId)
    .setSubject(opts.username)
    .setAudience(opts.audience)
    .setExpirationTime(iat + 180)
    .setJti(randomUUID())
    .sign(createPrivateKey(opts.privateKey));
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
// jsforce's HTTP transport class (the one every Connection makes for itself). jsforce/lib is CommonJS, and an ESM
// default import of it differs between Node and Vite, so it is required as CommonJS.
const { default: Transport } = createRequire(import.meta.url)('jsforce/lib/transport.js') as typeof import('jsforce/lib/transport.js');

const JSFORCE_RETRY = { maxRetries: 2, minTimeout: 300, timeoutFactor: 2 };
/** A request with no answer after this long is aborted (jsforce's own default is 30 minutes). */
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** jsforce's HTTP transport with the service's timeout and short retry loop (jsforce passes both per request). */
class BoundTransport extends Transport {
  constructor(private readonly timeoutMs: number) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> {
    return super.httpRequest(req, { timeout: this.timeoutMs, ...options, retry: { ...JSFORCE_RETRY, ...options.retry } });
  }
}

/**
 * The service's jsforce connection: every REST call goes through `request` (query, sObject calls, requestPost…), so
 * this one public method is where the adapter sits. It hands jsforce's HttpApi its own transport (HttpApi's
 * `transport` option) and, as jsforce's HttpApiError keeps neither the HTTP status nor the headers of the response
 * (an HTML 503 maintenance page becomes `ERROR_HTTP_503` and nothing else), adds the two facts the classification
 * needs to the error: `statusCode` and the `Retry-After` header (errors.ts, toSalesforceError).
 */
class ServiceConnection extends Connection {
  private readonly transport: BoundTransport;

  constructor(config: ConstructorParameters<typeof Connection>[0], timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
    super(config);
    this.transport = new BoundTransport(timeoutMs);
  }

  override request<R = unknown>(request: string | HttpRequest, options: object = {}): StreamPromise<R> {
    let last: HttpResponse | undefined;
    const transport = this.transport;
    // One recorder per call: concurrent requests never see each other's response.
    const recording = {
      httpRequest(req: HttpRequest, opts?: HttpRequestOptions) {
        const sent = transport.httpRequest(req, opts);
        sent.then(
          (res) => (last = res),
          () => undefined,
        );
        return sent;
      },
    };
    const sent = super.request<R>(request, { transport: recording, ...options });
    return StreamPromise.create(() => ({
      stream: sent.stream(),
      promise: sent.catch((err: unknown) => {
        throw withResponseFacts(err, last);
      }),
    }));
  }
}

/** The status and Retry-After of the response an HttpApiError came from (a network error has no response). */
function withResponseFacts(err: unknown, response: HttpResponse | undefined): unknown {
  if (!response || !(err instanceof Error) || response.statusCode < 400) return err;
  const e = err as Error & { statusCode?: number; retryAfter?: string };
  e.statusCode ??= response.statusCode;
  const retryAfter = response.headers?.['retry-after'];
  if (retryAfter) e.retryAfter = retryAfter;
  return e;
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
  const timeout = opts.timeoutMs;
  if (login.mode === 'token')
    return new ServiceConnection({ instanceUrl: login.instanceUrl, accessToken: login.accessToken, version }, timeout);
  if (login.mode === 'emulator') {
    if (!emulator) throw new Error('the org emulator must be running in emulator mode');
    return new ServiceConnection({ instanceUrl: emulator.url, accessToken: emulator.accessToken, version }, timeout);
  }
  const mint = async (conn: Connection) => {
    const assertion = await jwtBearerAssertion({ ...login, audience: jwtAudience(login.loginUrl) });
    const res = await conn.oauth2.requestToken({ grant_type: JWT_GRANT, assertion });
    conn.instanceUrl = res.instance_url;
    return res;
  };
  const conn: Connection = new ServiceConnection(
    {
      loginUrl: login.loginUrl,
      version,
      refreshFn: (c, callback) => {
        mint(c as Connection).then(
          (res) => callback(null, res.access_token, res),
          (err: Error) => callback(err),
        );
      },
    },
    timeout,
  );
  const first = await mint(conn);
  conn.accessToken = first.access_token;
  return conn;
}
