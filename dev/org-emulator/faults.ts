// Local Salesforce org emulator (not Salesforce): failures injected on purpose, to test how a client copes.

import { z } from 'zod';

export const faultSchema = z.object({
  count: z.number().int().positive(),
  errorCode: z.string().min(1),
  message: z.string().optional(),
  status: z.number().int().min(400).max(599).optional(),
  mode: z.enum(['request', 'per-record', 'after-write', 'reset', 'timeout']).optional(),
  /** `html`: the answer is an HTML error page (as a proxy or a maintenance window serves), not Salesforce JSON. */
  body: z.enum(['json', 'html']).optional(),
  /** Seconds sent in a Retry-After header. */
  retryAfter: z.number().int().min(0).optional(),
  methods: z.array(z.string()).optional(),
  /** Only requests whose path contains this text (e.g. an sObject type or external id field). */
  pathContains: z.string().min(1).optional(),
});

export type FaultSpec = z.infer<typeof faultSchema>;

interface Fault {
  errorCode: string;
  message: string;
  status: number;
  body: 'json' | 'html';
  retryAfter?: number;
}

type FaultMode = NonNullable<FaultSpec['mode']>;

const DEFAULT_STATUS: Record<string, number> = { SERVER_UNAVAILABLE: 503, REQUEST_LIMIT_EXCEEDED: 403, INVALID_SESSION_ID: 401 };
const DEFAULT_MESSAGE: Record<string, string> = {
  SERVER_UNAVAILABLE: 'Server temporarily unavailable.',
  REQUEST_LIMIT_EXCEEDED: 'TotalRequests Limit exceeded.',
  UNABLE_TO_LOCK_ROW: 'unable to obtain exclusive access to this record or 1 records',
  INVALID_SESSION_ID: 'Session expired or invalid',
};

interface Pending {
  remaining: number;
  spec: FaultSpec;
  methods: string[];
}

/** Pending faults, consumed in the order they were injected. */
export class FaultQueue {
  private pending: Pending[] = [];

  add(spec: FaultSpec): void {
    const parsed = faultSchema.parse(spec);
    const methods = (parsed.methods ?? ['POST', 'PATCH', 'DELETE']).map((m) => m.toUpperCase());
    this.pending.push({ remaining: parsed.count, spec: parsed, methods });
  }

  /**
   * Takes the next fault for a request with this method: request faults are taken by any API request,
   * per-record faults only by sObject collection writes, after-write faults by any API request after it was applied,
   * reset faults close the connection before anything is applied, timeout faults apply the request and never answer.
   */
  /** Drops every pending fault (the outage is over). */
  clear(): void {
    this.pending = [];
  }

  take(method: string, mode: FaultMode, path = ''): Fault | undefined {
    const entry = this.pending.find(
      (p) =>
        (p.spec.mode ?? 'request') === mode &&
        p.methods.includes(method.toUpperCase()) &&
        (!p.spec.pathContains || path.includes(p.spec.pathContains)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.pending = this.pending.filter((p) => p !== entry);
    const { errorCode } = entry.spec;
    return {
      errorCode,
      message: entry.spec.message ?? DEFAULT_MESSAGE[errorCode] ?? `${errorCode} (fault injected by the local Salesforce org emulator)`,
      status: entry.spec.status ?? DEFAULT_STATUS[errorCode] ?? 400,
      body: entry.spec.body ?? 'json',
      retryAfter: entry.spec.retryAfter,
    };
  }
}

/** The response of a request-level fault: Salesforce's JSON error body, or an HTML page of the same status. */
export function faultResponse(fault: Fault): Response {
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
  if (fault.body === 'html') {
    const page = `<!DOCTYPE html><html><head><title>${fault.status}</title></head><body><h1>Service temporarily unavailable</h1><p>${fault.message}</p></body></html>`;
    return new Response(page, { status: fault.status, headers: { ...headers, 'content-type': 'text/html' } });
  }
  return new Response(JSON.stringify([{ message: fault.message, errorCode: fault.errorCode, fields: [] }]), {
    status: fault.status,
    headers: { ...headers, 'content-type': 'application/json;charset=UTF-8' },
  });
}
