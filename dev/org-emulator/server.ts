// Local Salesforce org emulator (not Salesforce): the Hono app — cross-cutting middleware and the resource routers.

import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z, ZodError } from 'zod';
import { OAuthError } from './auth.ts';
import { ApiError, notFound, RecordFailure } from './errors.ts';
import { faultResponse } from './faults.ts';
import { API_LIMIT, type EmulatorEnv, type Org } from './org.ts';
import { formatDateTime } from './time.ts';
import { actions } from './routes/actions.ts';
import { checkApiVersion, VERSIONS } from './versions.ts';
import { composite } from './routes/composite.ts';
import { compositeRequest, isSubrequest } from './routes/composite-request.ts';
import { control } from './routes/control.ts';
import { identity } from './routes/identity.ts';
import { limits } from './routes/limits.ts';
import { oauth } from './routes/oauth.ts';
import { query } from './routes/query.ts';
import { sobjects } from './routes/sobjects.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The TCP socket of a request served by @hono/node-server (its bindings carry the Node request). */
const socketOf = (c: { env: unknown }) => (c.env as { incoming?: { socket?: import('node:net').Socket } } | undefined)?.incoming?.socket;

/** The emulator's HTTP app for one org. */
export function createApp(org: Org): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>();

  app.use('*', async (c, next) => {
    c.set('org', org);
    await next();
    c.res.headers.set('Sforce-Limit-Info', `api-usage=${org.apiUsage}/${API_LIMIT}`);
  });

  // Record every API call (with its SOQL or JSON body) and apply the configured latency.
  app.use('/services/*', async (c, next) => {
    if (isSubrequest(c)) return next();
    const at = formatDateTime(org.store.clock.now());
    const isJson = (c.req.header('content-type') ?? '').includes('json');
    const text = c.req.method !== 'GET' && isJson ? await c.req.text() : '';
    if (org.latencyMs > 0) await sleep(org.latencyMs);
    await next();
    const soql = /\/query(All)?$/.test(c.req.path) ? c.req.query('q') : undefined;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    org.requests.push({
      method: c.req.method,
      path: c.req.path,
      ...(soql !== undefined ? { soql } : {}),
      ...(body !== undefined ? { body } : {}),
      status: c.res.status,
      at,
    });
  });

  app.get('/services/data', (c) => c.json(VERSIONS.map(({ version, label }) => ({ label, url: `/services/data/v${version}`, version }))));

  // Every versioned API call: a valid version, a valid session, one unit of API usage, maybe an injected fault.
  app.use('/services/data/:version/*', async (c, next) => {
    checkApiVersion(c.req.param('version'));
    const userId = org.tokens.authenticate(c.req.header('Authorization'));
    if (!userId) throw new ApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    c.set('userId', userId);
    // A composite request's subrequests run inside its one API call: no usage of their own, and only the faults a
    // subrequest can meet (an error answer, or one lost after the write); the connection is the composite's.
    const subrequest = isSubrequest(c);
    if (!subrequest) org.apiUsage += 1;
    // An sObject whose feature is off in this org's shape has no REST resource: 404, as for any unknown type.
    const type = /\/(?:composite\/)?sobjects\/([A-Za-z]\w*)/.exec(c.req.path)?.[1];
    const object = type ? org.store.schema.find(type) : undefined;
    if (object && org.store.shape && !org.store.shape.exists(object.name)) throw notFound();
    const fault = org.faults.take(c.req.method, 'request', c.req.path);
    if (fault) {
      c.res = faultResponse(fault);
      return;
    }
    // The connection drops before the request is applied (a proxy or load balancer resetting it).
    if (!subrequest && org.faults.take(c.req.method, 'reset', c.req.path)) {
      socketOf(c)?.destroy();
      return c.body(null, 502); // never sent: the socket is gone
    }
    const lost = org.faults.take(c.req.method, 'after-write', c.req.path);
    const hang = subrequest ? undefined : org.faults.take(c.req.method, 'timeout', c.req.path);
    await next();
    // The request was applied; the client is told it failed (a response lost on the way back), to test that
    // retries of keyed writes do not duplicate.
    if (lost) c.res = faultResponse(lost);
    // The request was applied and the answer never comes: the client's timeout has to fire. The handler ends
    // when the client gives up (or the emulator closes).
    if (hang) await new Promise((resolve) => (socketOf(c) ? socketOf(c)!.once('close', resolve) : undefined));
  });

  app.get('/services/data/:version', (c) => {
    const base = `/services/data/${c.req.param('version')}`;
    return c.json({ sobjects: `${base}/sobjects`, query: `${base}/query`, queryAll: `${base}/queryAll`, composite: `${base}/composite` });
  });
  app.route('/services/data/:version/sobjects', sobjects);
  app.post('/services/data/:version/composite', compositeRequest(app));
  app.route('/services/data/:version/composite', composite);
  app.route('/services/data/:version/actions', actions);
  app.route('/services/data/:version/limits', limits);
  app.route('/services/data/:version', query);
  app.route('/services/oauth2', oauth);
  app.route('/', identity);
  app.route('/__emulator', control);

  app.notFound((c) => c.json(notFound().toBody(), 404));

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(), err.status as ContentfulStatusCode);
    if (err instanceof RecordFailure) {
      const { statusCode, message, fields } = err.error;
      return c.json([{ message, errorCode: statusCode, fields }], 400);
    }
    if (err instanceof OAuthError) {
      return c.json({ error: err.error, error_description: err.description }, err.status as ContentfulStatusCode);
    }
    if (err instanceof ZodError) {
      return c.json([{ message: z.prettifyError(err), errorCode: 'INVALID_EMULATOR_REQUEST' }], 400);
    }
    console.error('[org emulator] unexpected error', err);
    const message = `Unexpected error in the local Salesforce org emulator: ${(err as Error).message}`;
    return c.json([{ message, errorCode: 'UNKNOWN_EXCEPTION' }], 500);
  });

  return app;
}
