/**
 * Salesforce failures, classified once so every caller treats them the same way:
 * - `retryable`: row locks, server unavailable, HTTP 429/5xx, network errors (jsforce itself never retries POST/PATCH);
 * - `rate_limited`: REQUEST_LIMIT_EXCEEDED — the org's API allowance is spent, writes pause;
 * - `auth`: the service's own session is invalid and could not be renewed;
 * - `permanent`: validation and data errors — retrying cannot help.
 */
export type SalesforceErrorKind = 'retryable' | 'rate_limited' | 'auth' | 'permanent';

const RETRYABLE_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'TIMEOUT',
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export class SalesforceError extends Error {
  override name = 'SalesforceError';
  constructor(
    message: string,
    readonly code: string,
    readonly kind: SalesforceErrorKind,
    readonly status?: number,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

export function kindOfCode(code: string, status?: number): SalesforceErrorKind {
  if (code === 'REQUEST_LIMIT_EXCEEDED') return 'rate_limited';
  if (code === 'INVALID_SESSION_ID' || code === 'INVALID_AUTH_HEADER') return 'auth';
  if (RETRYABLE_CODES.has(code) || NETWORK_CODES.has(code)) return 'retryable';
  if (status === 429 || (status !== undefined && status >= 500)) return 'retryable';
  return 'permanent';
}

/** Turns anything jsforce (or the network) threw into a SalesforceError. */
export function toSalesforceError(err: unknown): SalesforceError {
  if (err instanceof SalesforceError) return err;
  const e = err as { name?: string; errorCode?: string; code?: string; message?: string; statusCode?: number; cause?: { code?: string } };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  // jsforce's HttpApiError carries the Salesforce errorCode as `name` (and `errorCode`).
  let code = e?.errorCode ?? (e?.name && /^[A-Z_]+$/.test(e.name) ? e.name : undefined) ?? e?.cause?.code ?? e?.code;
  if (!code && /fetch failed|socket hang up|network/i.test(e?.message ?? '')) code = 'NETWORK_ERROR';
  code ??= status ? `HTTP_${status}` : 'UNKNOWN';
  const kind = code === 'NETWORK_ERROR' ? 'retryable' : kindOfCode(code, status);
  return new SalesforceError(e?.message ?? String(err), code, kind, status);
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
  return new SalesforceError(message, code, kindOfCode(code));
}
