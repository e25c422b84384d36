import type { KeyObject } from 'node:crypto';
import { adminRouter } from './routes/admin.ts';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { requireServiceAuth, type AuthEnv } from './auth.ts';
import { migrationsCurrent } from './db/migrate.ts';
import type { Deps } from './deps.ts';
import { Conflict, DomainError, Forbidden, InvalidInput, NotFound, RateLimited } from './domain-errors.ts';
import { ApiError, type ErrorCode } from './http-errors.ts';
import { InvalidPlaybookPlan } from './plan/generate.ts';
import { bulkStartRouter } from './routes/bulk-start.ts';
import { docsRouter } from './routes/docs.ts';
import { executionsRouter } from './routes/executions.ts';
import { notificationsRouter } from './routes/notifications.ts';
import { portfolioRouter } from './routes/portfolio.ts';
import { previewRouter } from './routes/preview.ts';
import { PREVIEW_APEX_PREFIX, previewApexRouter } from './routes/preview-apex.ts';
import { storableJsonBody } from './routes/storable.ts';
import { stepsRouter } from './routes/steps.ts';
import { calendarFeedApi, calendarFeedPublic } from './routes/calendar-feed.ts';
import { meetingsRouter } from './routes/meetings.ts';
import { tasksRouter } from './routes/tasks.ts';
import { metricsRouter } from './routes/metrics.ts';
import { webhooksRouter } from './routes/webhooks.ts';
import { SalesforceError } from './salesforce/errors.ts';
import { redactSecrets } from './secrets.ts';
import { currentTraceId, inSpan, SpanKind } from './tracing.ts';

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/**
 * The whole HTTP service; `server.ts` only starts it, tests call `app.request()`. `previewApex` (the embedded mode's
 * demo key) mounts the local preview's server-side stand-in for Apex, which signs the preview's requests.
 */
export function createApp(deps: Deps, opts: { previewApex?: { privateKey?: KeyObject } } = {}) {
  const app = new OpenAPIHono<AuthEnv>();
  app.use(requestId());
  // One span per request, named by its route once matched ("POST /api/workflows/executions/:id/action-plan/finalize").
  // Without tracing, inSpan runs the request directly and the span records nothing: its name is not worked out.
  app.use((c, next) =>
    inSpan(
      `${c.req.method} ${c.req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': c.req.method } },
      async (span) => {
        await next();
        if (!span.isRecording()) return;
        const route = routePath(c, -1);
        if (route && !route.includes('*')) span.updateName(`${c.req.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status, 'rap.request_id': c.get('requestId') });
      },
    ),
  );
  // Only where a body is expected: touching the body of a GET makes the Node adapter build a full Request.
  const limit = bodyLimit({
    maxSize: 256 * 1024,
    onError: () => {
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 256 KB');
    },
  });
  app.on(['POST', 'PATCH', 'PUT'], ['/api/*', `${PREVIEW_APEX_PREFIX}/*`], limit);
  // Provider webhooks authenticate by their own signatures (routes/webhooks.ts); everything else under /api needs
  // the service key and the acting Salesforce user.
  const serviceAuth = requireServiceAuth({
    apiKey: deps.apiKey,
    identity: deps.userIdentity,
    sql: deps.db.sql,
    now: deps.now,
    log: deps.log,
  });
  app.use('/api/*', (c, next) => (c.req.path.startsWith('/api/webhooks/') ? next() : serviceAuth(c, next)));
  // Then every JSON body is checked for what cannot be stored (NUL, lone surrogates, deep nesting). Webhooks check
  // theirs after the signature, which is computed over the raw bytes.
  app.on(['POST', 'PATCH', 'PUT'], '/api/*', (c, next) => (c.req.path.startsWith('/api/webhooks/') ? next() : storableJsonBody(c, next)));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const database = await deps.db.sql`SELECT 1`.then(
      () => true,
      () => false,
    );
    const migrations = database && (await migrationsCurrent(deps.db.sql));
    const ready = database && migrations;
    // Poll mode is ready too (the poll keeps the plans in sync, only later): the mode is information, not health.
    const salesforceSync = deps.syncStatus?.describe();
    return c.json(
      { status: ready ? 'ready' : 'not ready', database, migrations, ...(salesforceSync ? { salesforceSync } : {}) },
      ready ? 200 : 503,
    );
  });

  app.route('/api/workflows/executions', bulkStartRouter(deps));
  app.route('/api/workflows/executions', executionsRouter(deps));
  app.route('/api/workflows/executions', stepsRouter(deps));
  app.route('/api/workflows/tasks', tasksRouter(deps));
  app.route('/api/workflows/tasks', meetingsRouter(deps));
  app.route('/api/calendar', calendarFeedApi(deps));
  app.route('/calendar', calendarFeedPublic(deps));
  app.route('/api/notifications', notificationsRouter(deps));
  app.route('/api/portfolio', portfolioRouter(deps));
  app.route('/api/admin', adminRouter(deps));
  app.route('/api/webhooks', webhooksRouter(deps));
  app.route('/metrics', metricsRouter(deps));
  app.route('/preview', previewRouter());
  if (opts.previewApex)
    app.route(
      PREVIEW_APEX_PREFIX,
      previewApexRouter({
        privateKey: opts.previewApex.privateKey,
        identity: deps.userIdentity,
        now: deps.now,
        forward: (r) => app.fetch(r),
      }),
    );
  app.route('/docs', docsRouter());

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Renewal Action Plans',
      version: '0.1.0',
      description: 'Turns a Salesforce renewal opportunity into an executed action plan.',
    },
    security: [{ serviceKey: [], userAssertion: [] }],
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'serviceKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'SERVICE_API_KEY (the Named Credential: proves the caller is the package), plus X-Salesforce-Assertion: a compact JWS (RS256) ' +
      "signed in Apex with the org's certificate, whose sub is the user the request acts for (iss the org id, aud SERVICE_AUDIENCE, " +
      'exp at most 300 s after iat, a jti used once). X-Salesforce-User-Id, when sent, must equal sub. A missing or invalid ' +
      'assertion is a 401 naming what failed. See docs/trust.md.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'userAssertion', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Salesforce-Assertion',
    description: 'The signed user assertion (RS256 JWS built by RenewalActionPlanAssertion in Apex); see docs/trust.md.',
  });

  app.notFound((c) => c.json(errorBody('NOT_FOUND', `No route ${c.req.method} ${c.req.path}`, [], c.get('requestId')), 404));

  app.onError((err, c) => {
    const rid = c.get('requestId');
    const log = deps.log.child({ requestId: rid });
    if (err instanceof DomainError) {
      const [status, code] = domainStatus(err);
      const headers: Record<string, string> =
        err instanceof RateLimited ? { 'Retry-After': String(Math.max(1, Math.ceil(err.retryAfterSeconds))) } : {};
      return c.json(errorBody(code, err.message, err.issues, rid), status, headers);
    }
    if (err instanceof InvalidPlaybookPlan) return c.json(errorBody('PLAN_INVALID', err.message, [], rid), 502);
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.issues, rid), err.status, err.headers);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = CODE_OF_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
      const message = status === 400 && /JSON/i.test(err.message) ? 'The request body is not valid JSON' : err.message || code;
      return c.json(errorBody(code, message, status === 400 ? [{ path: 'body', message }] : [], rid), status);
    }
    if (err instanceof SalesforceError) {
      log.warn('salesforce error', { code: err.code, kind: err.kind, message: err.message });
      const unavailable = err.kind !== 'permanent';
      return c.json(
        errorBody(
          unavailable ? 'SALESFORCE_UNAVAILABLE' : 'SALESFORCE_REJECTED',
          `Salesforce ${unavailable ? 'is unavailable' : 'rejected the request'}: ${err.code}: ${err.message}`,
          [],
          rid,
        ),
        unavailable ? 503 : 502,
      );
    }
    log.error('unhandled error', { error: err.message, stack: err.stack });
    return c.json(errorBody('INTERNAL', `Internal error (request ${rid})`, [], rid), 500);
  });
  return app;
}

/** The status and code of a domain error. */
function domainStatus(err: DomainError): [ContentfulStatusCode, ErrorCode] {
  if (err instanceof NotFound) return [404, 'NOT_FOUND'];
  if (err instanceof Conflict) return [409, 'CONFLICT'];
  if (err instanceof Forbidden) return [403, 'FORBIDDEN'];
  if (err instanceof RateLimited) return [429, 'RATE_LIMITED'];
  if (err instanceof InvalidInput) return [400, 'VALIDATION_FAILED'];
  return [500, 'INTERNAL'];
}

/** The one error shape. Messages can quote what a provider or Salesforce said, so key-shaped secrets are removed. */
function errorBody(code: ErrorCode, message: string, issues: { path: string; message: string }[], requestId: string) {
  const traceId = currentTraceId();
  return {
    error: {
      code,
      message: redactSecrets(message),
      issues: issues.map((i) => ({ path: i.path, message: redactSecrets(i.message) })),
      requestId,
      // The trace the operator looks up (every log line of this request carries it too).
      ...(traceId && { traceId }),
    },
  };
}
