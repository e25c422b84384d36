// Local Salesforce org emulator (not Salesforce): POST /services/data/vXX.X/composite — up to 25 subrequests in one
// API call, each answered with its own status and body; references `@{refId.path}` to earlier results; allOrNone
// rolls every write back when one subrequest fails. The rules, with the documentation they come from, are in the
// README's conformance table.

import type { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import { readJson, type EmulatorContext, type EmulatorEnv } from '../org.ts';

const MAX_SUBREQUESTS = 25;
/** Of the 25, at most 5 may be queries or sObject collections. */
const MAX_QUERY_OR_COLLECTION = 5;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
const REFERENCE_ID = /^[A-Za-z0-9_]+$/;
const INHERITED_HEADERS = new Set(['accept', 'authorization', 'content-type']);
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

interface SubrequestResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const halted = (message: string) => [{ errorCode: 'PROCESSING_HALTED', message }];

function parse(body: unknown): { allOrNone: boolean; subrequests: Subrequest[] } {
  const b = body as { allOrNone?: unknown; compositeRequest?: unknown } | null;
  if (!b || !Array.isArray(b.compositeRequest) || b.compositeRequest.length === 0) {
    throw new ApiError(
      400,
      'JSON_PARSER_ERROR',
      'The request body must be { allOrNone, compositeRequest: [ { method, url, referenceId, body }, ... ] }',
    );
  }
  const list = b.compositeRequest as Subrequest[];
  if (list.length > MAX_SUBREQUESTS) {
    throw new ApiError(
      400,
      'LIMIT_EXCEEDED',
      `A composite request can contain at most ${MAX_SUBREQUESTS} subrequests; this one has ${list.length}`,
    );
  }
  const seen = new Set<string>();
  let queriesOrCollections = 0;
  for (const s of list) {
    if (!s || typeof s.referenceId !== 'string' || !REFERENCE_ID.test(s.referenceId)) {
      throw new ApiError(
        400,
        'INVALID_INPUT',
        `referenceId ${JSON.stringify(s?.referenceId)} must contain only letters, numbers and underscores`,
      );
    }
    if (seen.has(s.referenceId)) throw new ApiError(400, 'INVALID_INPUT', `Duplicate referenceId ${s.referenceId}`);
    seen.add(s.referenceId);
    if (!METHODS.has(s.method))
      throw new ApiError(400, 'INVALID_INPUT', `${s.referenceId}: method must be one of GET, POST, PATCH, PUT, DELETE (case-sensitive)`);
    if (typeof s.url !== 'string' || !s.url.startsWith(`/services/data/v`)) {
      throw new ApiError(400, 'INVALID_INPUT', `${s.referenceId}: url must be a /services/data/vXX.X/ resource`);
    }
    const resource = s.url.replace(/^\/services\/data\/v\d+\.\d+/, '').split('?')[0]!;
    if (!/^\/(sobjects|query|queryAll|composite\/sobjects)(\/|$)/.test(resource)) {
      throw new ApiError(
        400,
        'INVALID_INPUT',
        `${s.referenceId}: ${resource} is not supported in a composite request (sObject, query, queryAll and sObject collection resources are)`,
      );
    }
    if (/^\/(query|queryAll|composite\/sobjects)/.test(resource)) queriesOrCollections++;
    for (const h of Object.keys(s.httpHeaders ?? {})) {
      if (INHERITED_HEADERS.has(h.toLowerCase()))
        throw new ApiError(400, 'INVALID_INPUT', `${s.referenceId}: the ${h} header is inherited from the composite request`);
    }
  }
  if (queriesOrCollections > MAX_QUERY_OR_COLLECTION) {
    throw new ApiError(
      400,
      'LIMIT_EXCEEDED',
      `A composite request can contain at most ${MAX_QUERY_OR_COLLECTION} query or sObject collection subrequests`,
    );
  }
  return { allOrNone: b.allOrNone === true, subrequests: list };
}

/** The value at `.a.b[0]` in an earlier result's body; undefined when there is none. */
function lookUp(body: unknown, path: string): unknown {
  let v: unknown = body;
  for (const [, key, index] of path.matchAll(/\.([A-Za-z0-9_]+)|\[(\d+)\]/g)) {
    if (v == null) return undefined;
    v = key !== undefined ? (v as Record<string, unknown>)[key] : (v as unknown[])[Number(index)];
  }
  return v;
}

/** Replaces `@{ref.path}` in a string; throws the name of a reference with no value (its subrequest failed). */
function resolve(text: string, results: Map<string, SubrequestResult>): string {
  return text.replace(REFERENCE, (whole, ref: string, path: string) => {
    const r = results.get(ref);
    const value = r && r.httpStatusCode < 300 ? lookUp(r.body, path) : undefined;
    if (value === undefined || value === null || typeof value === 'object') throw new Error(`${ref}${path}`);
    return String(value);
  });
}

/**
 * The composite resource: runs each subrequest through the org's own routes (one API call in all, not one per
 * subrequest), in order.
 */
export function compositeRequest(app: Hono<EmulatorEnv>) {
  return async (c: EmulatorContext) => {
    const { allOrNone, subrequests } = parse(await readJson(c));
    const org = c.get('org');
    const snapshot = allOrNone ? org.store.snapshot() : undefined;
    const results = new Map<string, SubrequestResult>();
    const out: SubrequestResult[] = [];
    for (const s of subrequests) {
      let url: string;
      let body: string | undefined;
      try {
        url = resolve(s.url, results);
        body = s.body === undefined ? undefined : resolve(JSON.stringify(s.body), results);
        if (allOrNone && isCollection(url)) ({ url, body } = allOrNothingCollection(url, body));
      } catch (err) {
        const result = {
          body: halted(`Invalid reference specified. No value for ${(err as Error).message} found in ${s.referenceId}.`),
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId: s.referenceId,
        };
        results.set(s.referenceId, result);
        out.push(result);
        continue;
      }
      const res = await app.fetch(
        new Request(new URL(url, org.url), {
          method: s.method,
          headers: {
            ...s.httpHeaders,
            authorization: c.req.header('authorization') ?? '',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body,
        }),
        { subrequest: true },
      );
      const text = await res.text();
      // An HTML page (a maintenance page, a proxy's error) and a refused session answer for the whole call, never
      // inside it: the client sees what it would see for a single request (and jsforce renews its session).
      if ((res.headers.get('content-type') ?? '').includes('html') || res.status === 401) {
        if (snapshot) org.store.restore(snapshot);
        return new Response(text, { status: res.status, headers: res.headers });
      }
      const headers: Record<string, string> = {};
      const location = res.headers.get('location');
      if (location) headers.Location = location;
      const result = { body: text ? JSON.parse(text) : null, httpHeaders: headers, httpStatusCode: res.status, referenceId: s.referenceId };
      results.set(s.referenceId, result);
      out.push(result);
    }
    if (snapshot && out.some(failed)) {
      org.store.restore(snapshot);
      const rolledBack = halted('The transaction was rolled back since another operation in the same transaction failed.');
      return c.json({
        compositeResponse: out.map((r) => (failed(r) ? r : { ...r, body: rolledBack, httpHeaders: {}, httpStatusCode: 400 })),
      });
    }
    if (snapshot) org.store.commit();
    return c.json({ compositeResponse: out });
  };
}

/** An sObject Collections subrequest (`/composite/sobjects`, any method). */
const isCollection = (url: string) => /\/composite\/sobjects(?:[/?]|$)/.test(url);

/**
 * A subrequest failed: an error status, or an sObject Collections answer (HTTP 200) with a record that failed. Under
 * the composite's allOrNone that record's failure fails the whole request ("allOrNone Parameters in Composite and
 * Collections Requests").
 */
const failed = (r: SubrequestResult) =>
  r.httpStatusCode >= 400 ||
  (Array.isArray(r.body) && r.body.some((x) => x && typeof x === 'object' && (x as { success?: unknown }).success === false));

/**
 * "If the Composite request has allOrNone set to true, then the all-or-none behavior also applies to each of the
 * sObject Collections subrequests, overriding the value of allOrNone in the subrequests."
 */
function allOrNothingCollection(url: string, body: string | undefined): { url: string; body: string | undefined } {
  if (body !== undefined) {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return { url, body: JSON.stringify({ ...parsed, allOrNone: true }) };
    return { url, body };
  }
  const u = new URL(url, 'http://composite.invalid');
  u.searchParams.set('allOrNone', 'true');
  return { url: `${u.pathname}?${u.searchParams}`, body };
}

/** True while the org runs a composite request's subrequest: recorded and counted once, as the composite call. */
export const isSubrequest = (c: { env: unknown }) => (c.env as { subrequest?: boolean } | undefined)?.subrequest === true;
