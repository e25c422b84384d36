import { wallClockMs } from '../clock.ts';
/**
 * Salesforce failures, classified once so every caller treats them the same way:
 * - `retryable`: row locks, server unavailable, HTTP 429/500/502/503/504 (also with an HTML body, which jsforce
 *   reports as `ERROR_HTTP_<status>` with no status field), timeouts, connection resets, and DUPLICATE_VALUE from
 *   two concurrent upserts of one new external id (jsforce itself never retries POST/PATCH);
 * - `rate_limited`: REQUEST_LIMIT_EXCEEDED for the org's daily API allowance ("TotalRequests Limit exceeded.") —
 *   writes pause until the allowance recovers (retry.ts's WriteGate);
 * - REQUEST_LIMIT_EXCEEDED for the concurrent long-running request limit ("ConcurrentPerOrgLongTxn Limit exceeded",
 *   "ConcurrentRequests (Concurrent API Requests) Limit exceeded") is `retryable` with `limit: 'concurrent'`: it clears
 *   within seconds, as other requests finish, so it is backed off in seconds with jitter, never a 15-minute pause.
 *   The same error code carries both; only the message tells them apart (see docs/org-shapes.md for the sources).
 * - `auth`: the service's own session is invalid and could not be renewed;
 * - `permanent`: validation and data errors — retrying cannot help.
 */
type SalesforceErrorKind = 'retryable' | 'rate_limited' | 'auth' | 'permanent';

const RETRYABLE_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'TIMEOUT',
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  // Two transactions upserting one new external id at once both insert; the unique index rejects the second
  // (Salesforce: "DUPLICATE_VALUE ... duplicates value on record with id"). Retried, the upsert finds the record.
  'DUPLICATE_VALUE',
  'NETWORK_ERROR',
]);
const RETRYABLE_STATUS = new Set([408, 420, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export class SalesforceError extends Error {
  override name = 'SalesforceError';
  constructor(
    message: string,
    readonly code: string,
    readonly kind: SalesforceErrorKind,
    readonly status?: number,
    /** How long Salesforce asked us to wait (`Retry-After`), when it did. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
  /** Which request limit was hit, for REQUEST_LIMIT_EXCEEDED: the daily allowance or the concurrent requests. */
  get limit(): RequestLimit | undefined {
    return requestLimitOf(this.code, this.message);
  }
  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

/** The HTTP status in jsforce's `ERROR_HTTP_503` codes (what it reports for a non-JSON error body). */
const httpStatusOf = (code: string): number | undefined => {
  const m = /^(?:ERROR_)?HTTP_(\d{3})$/.exec(code);
  return m ? Number(m[1]) : undefined;
};

type RequestLimit = 'daily' | 'concurrent';

/** Salesforce's concurrent-request limits name themselves in the message (ConcurrentPerOrgLongTxn, ConcurrentRequests). */
const CONCURRENT_LIMIT = /\bConcurrent\w*/i;

/** Which limit a REQUEST_LIMIT_EXCEEDED is about: any message that is not a concurrent limit counts as the daily one. */
function requestLimitOf(code: string, message = ''): RequestLimit | undefined {
  if (code !== 'REQUEST_LIMIT_EXCEEDED') return undefined;
  return CONCURRENT_LIMIT.test(message) ? 'concurrent' : 'daily';
}

export function kindOfCode(code: string, status?: number, message?: string): SalesforceErrorKind {
  if (code === 'REQUEST_LIMIT_EXCEEDED') return requestLimitOf(code, message) === 'concurrent' ? 'retryable' : 'rate_limited';
  if (code === 'INVALID_SESSION_ID' || code === 'INVALID_AUTH_HEADER') return 'auth';
  if (RETRYABLE_CODES.has(code) || NETWORK_CODES.has(code)) return 'retryable';
  const httpStatus = status ?? httpStatusOf(code);
  if (httpStatus === 401) return 'auth';
  if (httpStatus !== undefined && RETRYABLE_STATUS.has(httpStatus)) return 'retryable';
  return 'permanent';
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (relative to `now`); undefined when absent or bad. */
export function parseRetryAfter(value: unknown, now = wallClockMs()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface ThrownShape {
  name?: string;
  errorCode?: string;
  code?: string;
  type?: string;
  message?: string;
  statusCode?: number;
  retryAfter?: string;
  cause?: { code?: string };
}

/** Turns anything jsforce (or the network) threw into a SalesforceError. */
export function toSalesforceError(err: unknown): SalesforceError {
  if (err instanceof SalesforceError) return err;
  const e = (err ?? {}) as ThrownShape;
  const message = e.message ?? String(err);
  // connection.ts attaches the response's status and Retry-After to jsforce's HttpApiError (which drops them).
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // jsforce's HttpApiError carries the Salesforce errorCode as `name` (and `errorCode`); a non-JSON body gives
  // `ERROR_HTTP_<status>`. Network failures carry a Node error code, directly or as the cause.
  let code = e.errorCode ?? (e.name && /^[A-Z][A-Z0-9_]+$/.test(e.name) ? e.name : undefined) ?? e.cause?.code ?? e.code;
  if (!code && (e.name === 'AbortError' || e.type === 'aborted' || /Request Timeout|timed? ?out/i.test(message))) code = 'TIMEOUT';
  if (!code && /fetch failed|socket hang up|network|ECONNRESET|other side closed/i.test(message)) code = 'NETWORK_ERROR';
  code ??= status ? `HTTP_${status}` : 'UNKNOWN';
  return new SalesforceError(message, code, kindOfCode(code, status, message), status ?? httpStatusOf(code), parseRetryAfter(e.retryAfter));
}

/** One record's outcome in a collection (composite/sobjects) response. */
export interface SaveResult {
  id?: string | null;
  success: boolean;
  created?: boolean;
  errors: { statusCode?: string; errorCode?: string; message: string; fields?: string[] }[];
}

/** The per-record failure of a 200 collection response, classified like a request failure. */
export function recordError(result: SaveResult): SalesforceError | undefined {
  if (result.success) return undefined;
  const first = result.errors[0];
  const code = first?.statusCode ?? first?.errorCode ?? 'UNKNOWN';
  const message = result.errors.map((x) => `${x.statusCode ?? x.errorCode}: ${x.message}`).join('; ') || 'record failed';
  return new SalesforceError(message, code, kindOfCode(code, undefined, message));
}
