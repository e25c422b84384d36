import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { createApp } from '../../service/src/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from '../../testkit/harness.ts';
import { databaseDigest } from '../../testkit/snapshot.ts';
import { salesforceWrites } from '../../testkit/salesforce-calls.ts';

/**
 * Property: random and hostile bodies, ids, paths and headers thrown at every route never produce a 5xx, every 4xx
 * says what is wrong (a 400 names each field), nothing is written (neither in Postgres, every row of every table,
 * nor in Salesforce), and nothing is logged at error level. The shapes include what once got a 500 (issue 9):
 * control characters, NUL, lone surrogates, impossible and extreme dates, tampered cursors, deep nesting, malformed
 * percent-encoding, and signed webhooks carrying any of these.
 */
describe('hostile input on every route', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ accessCacheMs: 60_000 });
  });
  afterAll(async () => h?.close());

  /** encodeURIComponent, except that a lone surrogate becomes the (invalid) UTF-8 a careless client would send. */
  const encode = (text: string) =>
    Array.from(text)
      .map((ch) => {
        const c = ch.charCodeAt(0);
        if (ch.length > 1 || c < 0xd800 || c > 0xdfff) return encodeURIComponent(ch);
        return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      })
      .join('');
  const char = (from: number, to: number) => fc.integer({ min: from, max: to }).map((c) => String.fromCharCode(c));
  const controlChar = char(0, 0x1f);
  const loneSurrogate = char(0xd800, 0xdfff);
  /** Text PostgreSQL cannot store: a NUL or a lone surrogate somewhere in it. */
  const unstorable = fc
    .tuple(fc.string({ maxLength: 20 }), fc.oneof(fc.constant('\u0000'), loneSurrogate), fc.string({ maxLength: 20 }))
    .map(([a, bad, b]) => a + bad + b);
  const impossibleDate = fc.oneof(
    fc.constantFrom(
      '2026-02-30',
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '0000-01-01',
      '1699-12-31',
      '4001-01-01',
      '+275760-09-13',
      '-000001-01-01',
      '2026-1-1',
      '20261201',
    ),
    fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 13, max: 99 }), fc.integer({ min: 1, max: 28 }))
      .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${m}-${String(d).padStart(2, '0')}`),
    fc
      .tuple(fc.integer({ min: 1700, max: 4000 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 32, max: 99 }))
      .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${d}`),
  );
  const hostileString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.array(fc.oneof(controlChar, loneSurrogate, fc.string({ maxLength: 3 })), { maxLength: 10 }).map((a) => a.join('')),
    unstorable,
    impossibleDate,
    fc.constantFrom(
      "' OR 1=1 --",
      "006'; DELETE FROM Task; --",
      '../../etc/passwd',
      '%00',
      '\u0000',
      '{{7*7}}',
      '<script>alert(1)</script>',
      'null',
      '[]',
      '{}',
      'x'.repeat(5000),
    ),
    fc.uuid().map((u) => u.toUpperCase()),
  );
  const nested = fc
    .tuple(fc.integer({ min: 33, max: 5000 }), fc.boolean())
    .map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  /** A JSON text with a hostile value (unstorable text, an impossible date, deep nesting) somewhere in a known shape. */
  const unstorableJson = fc.oneof(
    unstorable.map((t) => JSON.stringify(t)),
    nested,
  );
  const poisoned = fc.oneof(
    unstorableJson,
    impossibleDate.map((d) => JSON.stringify(d)),
  );
  const body = fc.oneof(
    jsonValue.map((v) => JSON.stringify(v)),
    fc.record({ opportunityId: fc.oneof(hostileString, jsonValue) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          edits: fc.array(
            fc.record(
              { key: hostileString, include: fc.anything(), priority: fc.anything(), dueDate: hostileString, description: hostileString },
              { requiredKeys: [] },
            ),
          ),
          planId: hostileString,
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc
      .record(
        { status: hostileString, dueDate: hostileString, snoozedUntil: fc.oneof(hostileString, fc.constant(null)) },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc
      .tuple(fc.constantFrom('input', 'reason', 'edits', 'dueDate', 'snoozedUntil', 'opportunityId', 'status'), poisoned)
      .map(([k, v]) => `{"${k}":${v}}`),
    nested,
    fc.string(),
  );
  /** Cursors the endpoint never wrote: impossible or extreme instants, bad ids, extra fields, not base64. */
  const tamperedCursor = fc.oneof(
    fc
      .tuple(
        fc.oneof(
          impossibleDate,
          fc.constantFrom('1', '+275760-09-13T00:00:00.000Z', '2026-11-25T24:00:00.000000Z', '2026-11-25T10:00:00Z', ''),
          hostileString,
        ),
        fc.oneof(fc.uuid(), hostileString),
      )
      .map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url')),
    fc
      .tuple(fc.uuid(), hostileString)
      .map(([id, extra]) => Buffer.from(`2026-11-25T10:00:00.000000Z|${id}|${extra}`).toString('base64url')),
    hostileString,
  );
  /** Percent-encoding a decoder refuses, put raw into a path. */
  const malformedPercent = fc
    .tuple(
      fc.constantFrom('%', '%z', '%zz', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%%', '%0', '%FF'),
      fc.constantFrom('', '.js', '.css', '/x', 'abc'),
    )
    .map(([p, tail]) => p + tail);
  const segment = fc.oneof(hostileString.map(encode), malformedPercent, fc.constant('00000000-0000-4000-8000-000000000000'));
  const realStep = fc.constantFrom('csm-assessment', 'contract-analysis', 'pricing-strategy');
  const route = fc.oneof(
    fc.constant(['POST', '/api/workflows/executions']),
    segment.map((id) => ['GET', `/api/workflows/executions/${id}`]),
    segment.map((id) => ['POST', `/api/workflows/executions/${id}/action-plan/generate`]),
    segment.map((id) => ['GET', `/api/workflows/executions/${id}/action-plan`]),
    segment.map((id) => ['POST', `/api/workflows/executions/${id}/action-plan/finalize`]),
    fc.tuple(hostileString, hostileString).map(([k, v]) => ['GET', `/api/workflows/tasks?${encode(k)}=${encode(v)}`]),
    tamperedCursor.map((c) => ['GET', `/api/workflows/tasks?cursor=${encode(c)}`]),
    malformedPercent.map((p) => ['GET', `/api/workflows/tasks?cursor=${p}&opportunity_id=${p}`]),
    segment.map((id) => ['GET', `/api/workflows/tasks/${id}`]),
    segment.map((id) => ['PATCH', `/api/workflows/tasks/${id}`]),
    fc.constant(['PATCH', '/api/workflows/tasks/TASK']),
    segment.map((id) => ['POST', `/api/workflows/tasks/${id}/execute`]),
    fc
      .tuple(fc.oneof(segment, fc.constant('EXECUTION')), hostileString.map(encode), fc.constantFrom('input', 'run', 'skip', 'back'))
      .map(([id, step, verb]) => ['POST', `/api/workflows/executions/${id}/steps/${step}/${verb}`]),
    fc
      .tuple(realStep, fc.constantFrom('input', 'skip'))
      .map(([step, verb]) => ['POST', `/api/workflows/executions/EXECUTION/steps/${step}/${verb}`, 'poison']),
    fc
      .tuple(fc.oneof(segment, fc.constant('EXECUTION')), hostileString.map(encode))
      .map(([id, step]) => ['GET', `/api/workflows/executions/${id}/steps/${step}/form`]),
    fc.constantFrom(['POST', '/api/webhooks/sendgrid'], ['POST', '/api/webhooks/mailgun']),
    fc.constant(['POST', '/api/webhooks/sendgrid', 'signed']),
    fc.tuple(hostileString, hostileString).map(([k, v]) => ['GET', `/api/notifications?${encode(k)}=${encode(v)}`]),
    segment.map((id) => ['POST', `/api/notifications/${id}/read`]),
    segment.map((p) => ['GET', `/preview/${p}`]),
  );
  /** A body that always holds something unstorable, for routes where a clean body would be accepted and written. */
  const poisonedBody = fc.oneof(
    fc.tuple(unstorable, fc.string()).map(([reason, x]) => JSON.stringify({ reason, x })),
    fc
      .tuple(fc.string({ minLength: 3, maxLength: 50 }), unstorableJson)
      .map(([reason, v]) => `{"reason":${JSON.stringify(reason)},"x":${v}}`),
    fc
      .tuple(unstorable, fc.integer({ min: 1, max: 10 }))
      .map(([notes, score]) => JSON.stringify({ input: { relationshipStrength: score, confidence: score, risks: [], notes } })),
    unstorableJson.map((v) => `{"input":{"relationshipStrength":5,"confidence":5,"risks":[],"notes":${v}}}`),
  );
  /** A signed SendGrid batch with one poisoned event among clean ones: refused whole. */
  const poisonedBatch = fc
    .tuple(
      fc.array(fc.record({ event: fc.constantFrom('open', 'click'), sg_event_id: fc.uuid() }), { maxLength: 3 }),
      fc.oneof(
        fc.tuple(fc.constantFrom('event', 'sg_event_id', 'email', 'category'), unstorableJson),
        fc.tuple(fc.constant('timestamp'), fc.constantFrom('1e20', '-1', '64092124801')),
      ),
    )
    .map(
      ([clean, [key, v]]) =>
        `[${[...clean.map((e) => JSON.stringify(e)), `{"event":"open","sg_event_id":"poisoned",${JSON.stringify(key)}:${v}}`].join(',')}]`,
    );
  const headers = fc.record(
    {
      // Mostly the right key and user, so most calls get past the front door to the routes' own checks.
      authorization: fc.oneof(
        { arbitrary: fc.constant(`Bearer ${API_KEY}`), weight: 6 },
        hostileString.map((s) => `Bearer ${s}`),
        hostileString,
      ),
      'x-salesforce-user-id': fc.oneof(
        { arbitrary: fc.constantFrom('0055e0000000001AAA', '0055e0000000001'), weight: 6 },
        fc.constant('0055e0000000002AAA'),
        hostileString,
      ),
      'content-type': fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-8',
      ),
      // A hostile user assertion sometimes; otherwise a valid user's calls carry a freshly signed one (below).
      'x-salesforce-assertion': hostileString,
    },
    { requiredKeys: ['authorization', 'x-salesforce-user-id'] },
  );

  it('never answers 5xx, always names the problem, and writes nothing', async () => {
    // An execution in progress and a finalized task (so step and task routes reach their own validation), and
    // webhooks configured with real keys (so unsigned or forged provider calls meet the signature check, not a 503).
    const { plan } = await h.finalizedPlan(h.opportunities['Northwind Health — FY27 Renewal']);
    const taskId: string = plan.csmTasks[0].taskId;
    const started = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    const executionId: string = started.body.execution.id;
    const sendgridKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const app = createApp({
      ...h.deps,
      env: {
        ...h.deps.env,
        SENDGRID_WEBHOOK_PUBLIC_KEY: sendgridKey.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        MAILGUN_WEBHOOK_SIGNING_KEY: 'mailgun-signing-key-for-the-property-test',
      },
    });
    const seen = new Map<string, number>();
    let runs = 0;
    const errorLines = () => h.logLines.filter((l) => l.includes('"level":"error"')).length;
    const errorsBefore = errorLines();
    const before = await databaseDigest(h.sql, { except: ['assertion_jtis'] });
    const sfWritesBefore = salesforceWrites(h.org.requests).length;
    await fc.assert(
      fc.asyncProperty(
        route,
        body,
        poisonedBody,
        poisonedBatch,
        impossibleDate,
        headers,
        async ([method, rawPath, kind], payload, poison, batch, dueDate, hdrs) => {
          runs++;
          const path = rawPath!.replace('EXECUTION', executionId).replace('TASK', taskId);
          const clean = Object.fromEntries(Object.entries(hdrs).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)));
          let content = method === 'GET' ? undefined : kind === 'poison' ? poison : kind === 'signed' ? batch : payload;
          if (kind === 'poison' || kind === 'signed' || path.endsWith('/tasks/' + taskId)) {
            // Authenticated, JSON: these calls get past the front door to the checks under test.
            Object.assign(clean, {
              authorization: `Bearer ${API_KEY}`,
              'x-salesforce-user-id': '0055e0000000001AAA',
              'content-type': 'application/json',
            });
          }
          if (path.endsWith('/tasks/' + taskId)) content = JSON.stringify({ dueDate });
          // Authenticated calls carry a valid assertion; others one when their user is valid and they drew none.
          const user = clean['x-salesforce-user-id'];
          const authenticated = kind === 'poison' || kind === 'signed' || path.endsWith('/tasks/' + taskId);
          if (authenticated || (clean['x-salesforce-assertion'] === undefined && user && /^0055e000000000[12]/.test(user)))
            clean['x-salesforce-assertion'] = await h.assertionFor(user);
          if (kind === 'signed') {
            const ts = String(Math.floor(Date.now() / 1000));
            Object.assign(clean, {
              'x-twilio-email-event-webhook-timestamp': ts,
              'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(ts + content), sendgridKey.privateKey).toString(
                'base64',
              ),
            });
          }
          const res = await app.request(path, { method, headers: clean, body: content });
          const where = path.startsWith('/preview')
            ? 'preview'
            : path.startsWith('/api/webhooks')
              ? `webhook${kind ? `-${kind}` : ''}`
              : kind === 'poison' || path.includes(executionId)
                ? 'step'
                : path.includes(taskId)
                  ? 'task'
                  : 'other';
          seen.set(`${where} ${res.status}`, (seen.get(`${where} ${res.status}`) ?? 0) + 1);
          expect(res.status, `${method} ${path}`).toBeLessThan(500);
          if (res.status >= 400 && where !== 'preview') {
            const json: any = await res.json();
            expect(json.error.code).toMatch(/^[A-Z_]+$/);
            expect(json.error.message.length).toBeGreaterThan(5);
            if (res.status === 400) {
              expect(json.error.issues.length, JSON.stringify(json)).toBeGreaterThan(0);
              for (const issue of json.error.issues) expect(issue.path).toMatch(/^(body|query|path|header)(\.|$)/);
            }
          }
          // What must be refused is refused.
          if (kind === 'poison' || kind === 'signed' || path.endsWith('/tasks/' + taskId))
            expect(res.status, `${method} ${path} ${content?.slice(0, 200)}`).toBe(400);
        },
      ),
      { numRuns: 1500, seed: 20261125 },
    );
    expect(await databaseDigest(h.sql, { except: ['assertion_jtis'] })).toEqual(before);
    expect(salesforceWrites(h.org.requests).length).toBe(sfWritesBefore);
    expect(errorLines()).toBe(errorsBefore);
    // The runs reached the signature checks, the step and task routes' own validation, and the signed webhook's body check.
    const statuses = [...seen.keys()];
    expect(statuses).toContain('webhook 401');
    expect(statuses).toContain('webhook-signed 400');
    expect(statuses).toContain('step 400');
    expect(statuses).toContain('task 400');
    expect(statuses.some((k) => k.startsWith('preview '))).toBe(true);
    console.log(
      `hostile input: ${runs} requests, 0 answered 5xx; by route and status: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`,
    );
  });
});
