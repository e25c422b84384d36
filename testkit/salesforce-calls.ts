import type { RecordedRequest } from '../dev/org-emulator/org.ts';

/** One operation the service asked of Salesforce: a request, or a subrequest of a composite request. */
interface SalesforceOperation {
  method: string;
  path: string;
  soql?: string;
}

/** The operations in the emulator's request log, composite requests opened into their subrequests. */
export function operationsOf(requests: RecordedRequest[]): SalesforceOperation[] {
  return requests.flatMap((r) => {
    const subs = /\/composite$/.test(r.path)
      ? (r.body as { compositeRequest?: { method: string; url: string }[] } | undefined)?.compositeRequest
      : undefined;
    if (!subs) return [{ method: r.method, path: r.path, ...(r.soql !== undefined ? { soql: r.soql } : {}) }];
    return subs.map((s) => {
      const [path, query] = s.url.split('?');
      const q = new URLSearchParams(query ?? '').get('q');
      return { method: s.method, path: path!, ...(q !== null ? { soql: q } : {}) };
    });
  });
}

/** The operations that write (everything but reads). */
export const salesforceWrites = (requests: RecordedRequest[]) => operationsOf(requests).filter((o) => o.method !== 'GET');
