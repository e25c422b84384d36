import type { Connection } from 'jsforce';
import { kindOfCode, SalesforceError, toSalesforceError } from './errors.ts';

/** Salesforce's limits on one composite request: 25 subrequests, of which at most 5 queries or collections. */
const COMPOSITE_LIMIT = 25;
const QUERY_LIMIT = 5;

interface Subrequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the versioned root, e.g. `/sobjects/Opportunity/006...`. */
  url: string;
  body?: unknown;
}

interface SubrequestResponse {
  httpStatusCode: number;
  body: unknown;
}

interface Waiting {
  sub: Subrequest;
  resolve: (body: unknown) => void;
  reject: (err: unknown) => void;
}

const isQuery = (s: Subrequest) => /^\/(query|queryAll|composite\/sobjects)\b/.test(s.url);

/**
 * The subrequest's failure, classified like a collection's per-record failure: its body is the REST error list
 * `[{ errorCode, message, fields }]`.
 */
function subrequestError(r: SubrequestResponse): SalesforceError | undefined {
  if (r.httpStatusCode < 400) return undefined;
  const errors = Array.isArray(r.body) ? (r.body as { errorCode?: string; message?: string }[]) : [];
  const code = errors[0]?.errorCode ?? `HTTP_${r.httpStatusCode}`;
  const message = errors.map((e) => `${e.errorCode}: ${e.message}`).join('; ') || `subrequest answered ${r.httpStatusCode}`;
  return new SalesforceError(message, code, kindOfCode(code, r.httpStatusCode, message), r.httpStatusCode);
}

/**
 * Sends the Salesforce calls that concurrent AI tasks make within a short window as one Composite API request (up to
 * 25 subrequests, `allOrNone: false`, so each stands or fails alone): one API call for a whole batch of tasks instead
 * of one per write. Each caller gets its own subrequest's body, or its own classified error; a failure of the whole
 * request fails every caller in it, and each retries on its own (the retry joins the next request).
 */
export class CompositeBatcher {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushAt = Infinity;

  constructor(
    private readonly conn: () => Connection,
    /** How long the first call waits for others to join it. */
    private readonly windowMs: number,
    /** Told before every request that writes (the gateway forgets what it cached). */
    private readonly onWrite: () => void = () => undefined,
  ) {}

  /**
   * Queues one subrequest; resolves with its response body. `windowMs` 0: only calls made in the same tick join it
   * (a request path that reads two things at once).
   */
  send(sub: Subrequest, windowMs = this.windowMs): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ sub, resolve, reject });
      if (this.waiting.length >= COMPOSITE_LIMIT || this.waiting.filter((w) => isQuery(w.sub)).length >= QUERY_LIMIT) return this.flush();
      const at = performance.now() + windowMs;
      if (at < this.flushAt) {
        clearTimeout(this.timer);
        this.flushAt = at;
        this.timer = setTimeout(() => this.flush(), windowMs);
      }
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushAt = Infinity;
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    let queries = 0;
    for (const w of this.waiting) {
      const query = isQuery(w.sub);
      if (batch.length < COMPOSITE_LIMIT && (!query || queries < QUERY_LIMIT)) {
        batch.push(w);
        if (query) queries++;
      } else rest.push(w);
    }
    this.waiting = rest;
    if (rest.length) {
      this.flushAt = performance.now();
      this.timer = setTimeout(() => this.flush(), 0);
    }
    if (batch.length) void this.sendBatch(batch);
  }

  private async sendBatch(batch: Waiting[]): Promise<void> {
    if (batch.some((w) => w.sub.method !== 'GET')) this.onWrite();
    const conn = this.conn();
    const root = `/services/data/v${conn.version}`;
    // Alone, a call goes as itself: a composite request saves nothing, and a lone read stays a GET (jsforce retries it).
    if (batch.length === 1) {
      const [w] = batch as [Waiting];
      try {
        const body = w.sub.body === undefined ? undefined : JSON.stringify(w.sub.body);
        w.resolve(
          await conn.request({
            method: w.sub.method,
            url: root + w.sub.url,
            body,
            headers: body ? { 'content-type': 'application/json' } : {},
          }),
        );
      } catch (err) {
        w.reject(toSalesforceError(err));
      }
      return;
    }
    try {
      const res = (await conn.request({
        method: 'POST',
        url: `${root}/composite`,
        body: JSON.stringify({
          allOrNone: false,
          compositeRequest: batch.map((w, i) => ({
            method: w.sub.method,
            url: root + w.sub.url,
            referenceId: `r${i}`,
            ...(w.sub.body !== undefined ? { body: w.sub.body } : {}),
          })),
        }),
        headers: { 'content-type': 'application/json' },
      })) as { compositeResponse?: (SubrequestResponse & { referenceId: string })[] };
      const byRef = new Map((res.compositeResponse ?? []).map((r) => [r.referenceId, r]));
      batch.forEach((w, i) => {
        const r = byRef.get(`r${i}`);
        if (!r) return w.reject(new SalesforceError('no result for subrequest', 'MISSING_RESULT', 'retryable'));
        const error = subrequestError(r);
        if (error) w.reject(error);
        else w.resolve(r.body);
      });
    } catch (err) {
      const error = toSalesforceError(err);
      for (const w of batch) w.reject(error);
    }
  }
}
