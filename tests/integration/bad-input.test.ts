import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../service/src/app.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { databaseDigest } from '../../testkit/snapshot.ts';
import { salesforceWrites } from '../../testkit/salesforce-calls.ts';

/**
 * The inputs that used to answer 500 (issue 9): each is now a 400 naming the field, and nothing is written, neither
 * in PostgreSQL (a digest of every row of every table) nor in the local Salesforce org emulator (not Salesforce).
 */
describe('bad input is a 400 naming the field, with nothing written', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  let taskId: string;
  let draftExecutionId: string;
  const ecdsa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const mailgunKey = randomBytes(24).toString('hex');
  const uuid = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    h = await startHarness();
    app = createApp({
      ...h.deps,
      env: {
        ...h.deps.env,
        SENDGRID_WEBHOOK_PUBLIC_KEY: ecdsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        MAILGUN_WEBHOOK_SIGNING_KEY: mailgunKey,
      },
    });
    taskId = (await h.finalizedPlan()).plan.csmTasks[0].taskId;
    // A workflow still in progress, with a draft plan: its steps and its finalize edits reach their own validation.
    draftExecutionId = (
      await h.api('POST', '/api/workflows/executions', { opportunityId: h.opportunities['Northwind Health — FY27 Renewal'] })
    ).body.execution.id;
    expect((await h.api('POST', `/api/workflows/executions/${draftExecutionId}/action-plan/generate`)).status).toBe(201);
  });
  afterAll(async () => h?.close());

  const writesToSalesforce = () => salesforceWrites(h.org.requests).length;

  /** Runs the call and checks it is a 400 naming `path` (its first issue), with the database and the org untouched. */
  async function rejected(call: () => Promise<{ status: number; body: any }>, path: string | RegExp) {
    const before = await databaseDigest(h.sql, { except: ['assertion_jtis'] });
    const sfWrites = writesToSalesforce();
    const res = await call();
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.issues[0].path).toMatch(typeof path === 'string' ? new RegExp(`^${path.replace(/\./g, '\\.')}$`) : path);
    expect(await databaseDigest(h.sql, { except: ['assertion_jtis'] })).toEqual(before);
    expect(writesToSalesforce()).toBe(sfWrites);
    return res;
  }

  const asJson = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });
  const sendgrid = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(ts + body), ecdsa.privateKey).toString('base64');
    return Promise.resolve(
      app.request('/api/webhooks/sendgrid', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-signature': signature,
          'x-twilio-email-event-webhook-timestamp': ts,
        },
        body,
      }),
    ).then(asJson);
  };
  const mailgun = (eventData: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString('hex');
    const signature = createHmac('sha256', mailgunKey)
      .update(timestamp + token)
      .digest('hex');
    const body = `{"signature":${JSON.stringify({ timestamp, token, signature })},"event-data":${eventData}}`;
    return Promise.resolve(
      app.request('/api/webhooks/mailgun', { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    ).then(asJson);
  };
  const nested = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth)}1${close.repeat(depth)}`;

  it('a tampered cursor', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const cursor of [
      b64(`2022-02-30|${uuid}`),
      '1',
      b64(`1|${uuid}`),
      b64(`+275760-09-13T00:00:00.000Z|${uuid}`),
      b64(`2026-11-25T25:00:00.000000Z|${uuid}`),
      b64(`2026-11-25T10:00:00.000000Z|${uuid}|x`),
    ]) {
      const res = await rejected(() => h.api('GET', `/api/workflows/tasks?cursor=${cursor}`), 'query.cursor');
      expect(res.body.error.issues[0].message).toBe('is not a cursor returned by this endpoint');
    }
    // A cursor the endpoint returned still pages.
    const first = await h.api('GET', '/api/workflows/tasks?limit=2');
    const next = await h.api('GET', `/api/workflows/tasks?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.tasks[0].id).not.toBe(first.body.tasks[0].id);
  });

  it('NUL or a lone surrogate in step input, a skip reason, a finalize edit or a snooze', async () => {
    const steps = `/api/workflows/executions/${draftExecutionId}/steps`;
    const input = { relationshipStrength: 7, confidence: 6, risks: ['budget'], notes: 'ok' };
    await rejected(
      () => h.api('POST', `${steps}/csm-assessment/input`, { input: { ...input, notes: 'fine\u0000then' } }),
      'body.input.notes',
    );
    await rejected(
      () => h.api('POST', `${steps}/csm-assessment/input`, { input: { ...input, notes: 'half \ud800 a pair' } }),
      'body.input.notes',
    );
    await rejected(() => h.api('POST', `${steps}/csm-assessment/input`, { input: { ...input, ['k\u0000']: 1 } }), 'body.input');
    await rejected(() => h.api('POST', `${steps}/contract-analysis/skip`, { reason: 'no contract\u0000' }), 'body.reason');
    await rejected(() => h.api('POST', `${steps}/contract-analysis/skip`, { reason: 'no contract \udc00' }), 'body.reason');
    const plan = (await h.api('GET', `/api/workflows/executions/${draftExecutionId}/action-plan`)).body.plan;
    const key = plan.csmTasks[0].key;
    const finalize = `/api/workflows/executions/${draftExecutionId}/action-plan/finalize`;
    await rejected(() => h.api('POST', finalize, { edits: [{ key, description: 'call\u0000' }] }), 'body.edits.0.description');
    await rejected(() => h.api('POST', finalize, { edits: [{ key }, { key, action: 'x\ud83d' }] }), 'body.edits.1.action');
    await rejected(
      () => h.api('PATCH', `/api/workflows/tasks/${taskId}`, { snoozedUntil: '2027-01-01T00:00:00Z\u0000' }),
      'body.snoozedUntil',
    );
    expect((await h.api('GET', `/api/workflows/executions/${draftExecutionId}/action-plan`)).body.plan.status).toBe('draft');
  });

  it('a snooze outside the instants PostgreSQL and Salesforce store is a 400 naming the field, not a 500', async () => {
    // The offset carries 9999-12-31T23:59:59 into year 10000 in UTC; the others are before 1700 or after 4000-12-31.
    for (const snoozedUntil of ['9999-12-31T23:59:59-23:59', '4000-12-31T00:00:01Z', '1699-12-31T23:59:59Z', '4001-01-01T00:00:00+14:00']) {
      await rejected(() => h.api('PATCH', `/api/workflows/tasks/${taskId}`, { snoozedUntil }), 'body.snoozedUntil');
    }
    const ok = await h.api('PATCH', `/api/workflows/tasks/${taskId}`, { snoozedUntil: '3999-12-31T09:00:00-05:00' });
    expect(ok.status, ok.text).toBe(200);
    expect((await h.api('PATCH', `/api/workflows/tasks/${taskId}`, { snoozedUntil: null })).status).toBe(200);
  });

  it('an impossible or out-of-range due date never reaches Salesforce', async () => {
    for (const dueDate of ['2026-13-01', '0000-01-01', '2026-02-30', '2026-02-29', '+275760-09-13', '2026-1-1']) {
      await rejected(() => h.api('PATCH', `/api/workflows/tasks/${taskId}`, { dueDate }), 'body.dueDate');
    }
    // A real date goes through, to the database and to Salesforce.
    const ok = await h.api('PATCH', `/api/workflows/tasks/${taskId}`, { dueDate: '2026-12-14' });
    expect(ok.status).toBe(200);
    expect(ok.body.task.dueDate).toBe('2026-12-14');
    const mirrored = h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === taskId);
    expect(mirrored?.ActivityDate).toBe('2026-12-14');
  });

  it('a signed SendGrid batch with NUL: 400, nothing stored; the same batch fixed is stored whole', async () => {
    const events = [1, 2, 3].map((i) => ({
      email: 'cfo@acme.test',
      event: 'open',
      sg_event_id: `nul-batch-${i}`,
      sg_message_id: 'msg_x.filter',
      timestamp: 1_795_000_000 + i,
    }));
    const bad = JSON.stringify([events[0], events[1], { ...events[2], category: 'renewal\u0000' }]);
    const res = await rejected(() => sendgrid(bad), 'body.2.category');
    expect(res.body.error.issues[0].message).toMatch(/NUL/);
    await rejected(() => sendgrid(JSON.stringify([events[0], { ...events[1], timestamp: 1e20 }])), 'body.1.timestamp');
    const good = await sendgrid(JSON.stringify(events));
    expect(good).toMatchObject({ status: 200, body: { stored: 3, duplicates: 0 } });
    expect((await sendgrid(JSON.stringify(events))).body).toEqual({ stored: 0, duplicates: 3 });
  });

  it('a batch that fails while being stored is stored whole when the provider sends it again', async () => {
    // A storage failure on the third event (a trigger standing for any database error mid-batch).
    await h.sql.unsafe(`
      CREATE FUNCTION fail_on_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.dedupe_key = 'boom-3' THEN RAISE EXCEPTION 'storage failed'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER fail_on_boom BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION fail_on_boom();`);
    const events = [1, 2, 3, 4].map((i) => ({ event: 'click', sg_event_id: `boom-${i}`, timestamp: 1_795_000_000 + i }));
    const count = async () => (await h.sql`SELECT count(*)::int AS n FROM webhook_events WHERE dedupe_key LIKE 'boom-%'`)[0]!.n;
    const failed = await sendgrid(JSON.stringify(events));
    expect(failed.status).toBe(500);
    expect(await count()).toBe(0);
    // An unexpected error is logged once, at error level, with the request id the response names.
    const logged = h.logLines.filter((l) => l.includes(failed.body.error.requestId));
    expect(logged.map((l) => JSON.parse(l)).map((l) => [l.level, l.msg])).toEqual([['error', 'unhandled error']]);
    expect(failed.body.error.message).toBe(`Internal error (request ${failed.body.error.requestId})`);
    await h.sql.unsafe('DROP TRIGGER fail_on_boom ON webhook_events; DROP FUNCTION fail_on_boom();');
    expect((await sendgrid(JSON.stringify(events))).body).toEqual({ stored: 4, duplicates: 0 });
    expect(await count()).toBe(4);
  });

  it('a signed webhook nested 5,000 levels deep, and an API body as deep', async () => {
    const deep = await rejected(() => sendgrid(`[{"event":"open","sg_event_id":"deep-1","x":${nested(5000)}}]`), /^body\.0\.x(\.a)+$/);
    expect(deep.body.error.issues[0].message).toBe('is nested deeper than 32 levels');
    await rejected(() => sendgrid(`[{"event":"open","sg_event_id":"deep-2","x":${nested(5000, '[', ']')}}]`), /^body\.0\.x(\.0)+$/);
    await rejected(() => mailgun(`{"event":"opened","user-variables":${nested(5000)}}`), /^body\.event-data\.user-variables(\.a)+$/);
    await rejected(
      () => h.api('POST', `/api/workflows/executions/${draftExecutionId}/steps/csm-assessment/input`, `{"input":${nested(5000)}}`),
      /^body\.input(\.a)+$/,
    );
    // Nesting the service itself produces stays well inside the bound.
    expect((await sendgrid(`[{"event":"open","sg_event_id":"deep-ok","x":${nested(20)}}]`)).status).toBe(200);
  });

  it('malformed percent-encoding under /preview: no 500, no error logged', async () => {
    const errorsBefore = h.logLines.filter((l) => l.includes('"level":"error"')).length;
    for (const path of ['/preview/%', '/preview/%zz.js', '/preview/%E0%A4%A.css', '/preview/%00.js', '/preview/..%2f..%2fpackage.json']) {
      const res = await h.app.request(path);
      expect(res.status, path).toBeLessThan(500);
      expect(await res.text()).not.toContain('"name"');
    }
    expect(h.logLines.filter((l) => l.includes('"level":"error"')).length).toBe(errorsBefore);
  });

  it('logged no stack trace for any of these inputs, apart from the simulated storage failure', () => {
    const withStack = h.logLines.filter((l) => l.includes('"stack"'));
    expect(withStack.map((l) => JSON.parse(l).error)).toEqual(['storage failed']);
  });
});

/** Issue 9, item 12: a 15-character id and its 18-character form are the same record on every route. */
describe('15- and 18-character Salesforce ids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('are accepted and normalized in the body, the query and the user header', async () => {
    const { executionId } = await h.finalizedPlan();
    const id18 = h.discoveryId;
    const id15 = id18.slice(0, 15);
    const again = await h.api('POST', '/api/workflows/executions', { opportunityId: id15 });
    expect(again.status).toBe(200);
    expect(again.body.execution).toMatchObject({ id: executionId, opportunityId: id18 });
    const by18 = await h.api('GET', `/api/workflows/tasks?opportunity_id=${id18}&limit=200`);
    const by15 = await h.api('GET', `/api/workflows/tasks?opportunity_id=${id15}&limit=200`);
    expect(by18.body.tasks.length).toBeGreaterThan(0);
    expect(by15.body.tasks.map((t: any) => t.id)).toEqual(by18.body.tasks.map((t: any) => t.id));
    const user15 = h.users['Jordan Lee']!.slice(0, 15);
    const asUser15 = await h.api('GET', `/api/workflows/tasks?opportunity_id=${id15}&limit=200`, undefined, { user: user15 });
    expect(asUser15.body.tasks.map((t: any) => t.id)).toEqual(by18.body.tasks.map((t: any) => t.id));
    // A 15-character id differing only in case is another record (no match: not found in Salesforce), and a forged
    // suffix is refused.
    const otherCase = await h.api('GET', `/api/workflows/tasks?opportunity_id=${id15.replace('e', 'E')}`);
    expect(otherCase.status, JSON.stringify(otherCase.body)).toBe(404);
    expect(otherCase.body.error.message).toMatch(/^Opportunity 0065E\w+ was not found/);
    const forged = await h.api('GET', `/api/workflows/tasks?opportunity_id=${id15}ZZZ`);
    expect(forged.body.error.issues[0]).toMatchObject({ path: 'query.opportunity_id', message: 'has an invalid 18-character checksum' });
  });
});
