import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { createApp } from '../../service/src/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startHarness, type Harness } from '../helpers/harness.ts';

/**
 * Property: random and hostile bodies, ids and headers thrown at every route never produce a 5xx, every 4xx
 * says what is wrong, and nothing is written (neither in Postgres nor in Salesforce).
 */
describe('hostile input on every route', () => {
  let h: Harness;
  let snapshot: () => Promise<string>;
  beforeAll(async () => {
    h = await startHarness({ accessCacheMs: 60_000 });
    snapshot = async () => {
      const rows = await h.sql`
        SELECT (SELECT count(*) FROM workflow_executions) AS e, (SELECT count(*) FROM action_plans) AS p,
               (SELECT count(*) FROM workflow_tasks) AS t, (SELECT count(*) FROM notifications) AS n,
               (SELECT count(*) FROM scheduled_workflows) AS s,
               (SELECT coalesce(max(updated_at)::text, '') FROM workflow_tasks) AS tu`;
      return JSON.stringify(rows[0]) + h.org.records('Task').length;
    };
  });
  afterAll(async () => h?.close());

  const hostileString = fc.oneof(
    fc.string(),
    fc.constantFrom("' OR 1=1 --", "006'; DELETE FROM Task; --", '../../etc/passwd', '%00', '\u0000', '{{7*7}}', '<script>alert(1)</script>', 'null', '[]', '{}', 'x'.repeat(5000)),
    fc.uuid().map((u) => u.toUpperCase()),
  );
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  const body = fc.oneof(
    jsonValue.map((v) => JSON.stringify(v)),
    fc.record({ opportunityId: fc.oneof(hostileString, jsonValue) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record({ edits: fc.array(fc.record({ key: hostileString, include: fc.anything(), priority: fc.anything(), dueDate: hostileString }, { requiredKeys: [] })), planId: hostileString }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record({ status: hostileString, dueDate: hostileString, snoozedUntil: fc.oneof(hostileString, fc.constant(null)) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.string(),
  );
  const segment = fc.oneof(hostileString.map(encodeURIComponent), fc.constant('00000000-0000-4000-8000-000000000000'));
  const route = fc.oneof(
    fc.constant(['POST', '/api/workflows/executions']),
    segment.map((id) => ['GET', `/api/workflows/executions/${id}`]),
    segment.map((id) => ['POST', `/api/workflows/executions/${id}/action-plan/generate`]),
    segment.map((id) => ['GET', `/api/workflows/executions/${id}/action-plan`]),
    segment.map((id) => ['POST', `/api/workflows/executions/${id}/action-plan/finalize`]),
    fc.tuple(hostileString, hostileString).map(([k, v]) => ['GET', `/api/workflows/tasks?${encodeURIComponent(k)}=${encodeURIComponent(v)}`]),
    segment.map((id) => ['GET', `/api/workflows/tasks/${id}`]),
    segment.map((id) => ['PATCH', `/api/workflows/tasks/${id}`]),
    segment.map((id) => ['POST', `/api/workflows/tasks/${id}/execute`]),
    fc.tuple(fc.oneof(segment, fc.constant('EXECUTION')), hostileString.map(encodeURIComponent), fc.constantFrom('input', 'run', 'skip', 'back')).map(
      ([id, step, verb]) => ['POST', `/api/workflows/executions/${id}/steps/${step}/${verb}`],
    ),
    fc.tuple(fc.oneof(segment, fc.constant('EXECUTION')), hostileString.map(encodeURIComponent)).map(([id, step]) => ['GET', `/api/workflows/executions/${id}/steps/${step}/form`]),
    fc.constantFrom(['POST', '/api/webhooks/sendgrid'], ['POST', '/api/webhooks/mailgun']),
    fc.tuple(hostileString, hostileString).map(([k, v]) => ['GET', `/api/notifications?${encodeURIComponent(k)}=${encodeURIComponent(v)}`]),
    segment.map((id) => ['POST', `/api/notifications/${id}/read`]),
  );
  const headers = fc.record(
    {
      authorization: fc.oneof(fc.constant(`Bearer ${API_KEY}`), hostileString.map((s) => `Bearer ${s}`), hostileString),
      'x-salesforce-user-id': fc.oneof(fc.constant('0055e0000000001AAA'), fc.constant('0055e0000000002AAA'), hostileString),
      'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8'),
    },
    { requiredKeys: [] },
  );

  it('never answers 5xx, always names the problem, and writes nothing', async () => {
    // An existing execution (so step routes reach their own validation), and webhooks configured with real keys
    // (so unsigned or forged provider calls meet the signature check, not a 503).
    const started = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    const executionId: string = started.body.execution.id;
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const app = createApp({
      ...h.deps,
      env: {
        ...h.deps.env,
        SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        MAILGUN_WEBHOOK_SIGNING_KEY: 'mailgun-signing-key-for-the-property-test',
      },
    });
    const seen = new Set<string>();
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(route, body, headers, async ([method, path], payload, hdrs) => {
        const clean = Object.fromEntries(Object.entries(hdrs).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v)));
        const res = await app.request(path!.replace('EXECUTION', executionId), { method, headers: clean, body: method === 'GET' ? undefined : payload });
        seen.add(`${path!.startsWith('/api/webhooks') ? 'webhook' : path!.includes('EXECUTION') ? 'step' : 'other'} ${res.status}`);
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
        if (res.status >= 400) {
          const json: any = await res.json();
          expect(json.error.code).toMatch(/^[A-Z_]+$/);
          expect(json.error.message.length).toBeGreaterThan(5);
          if (res.status === 400 && json.error.code === 'VALIDATION_FAILED') expect(json.error.issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400, seed: 20261125 },
    );
    expect(await snapshot()).toBe(before);
    // The runs reached the signature checks and the step routes' own validation, not only the front door.
    expect(seen).toContain('webhook 401');
    expect([...seen].some((k) => /^step (400|404)$/.test(k))).toBe(true);
    expect(h.org.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
