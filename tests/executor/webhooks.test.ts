import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../service/src/app.ts';
import { trackEmail } from '../../service/src/db/email-tracking.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { insertAiTasks, seedPlan } from '../../testkit/executor/fixtures.ts';

/** Signed provider webhooks, with real keys generated here: SendGrid ECDSA P-256, Mailgun HMAC-SHA256. */
describe('email provider webhooks', () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  let trackerTaskId: string;
  const ecdsa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherEcdsa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const mailgunKey = randomBytes(24).toString('hex');
  // SendGrid shows the verification key as base64 DER (SPKI).
  const publicKeyB64 = ecdsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const now = () => Math.floor(Date.now() / 1000);

  const sendgrid = (
    events: unknown,
    opts: { ts?: number; key?: typeof ecdsa.privateKey; tamper?: (b: string) => string; signature?: string } = {},
  ) => {
    const ts = String(opts.ts ?? now());
    const body = typeof events === 'string' ? events : JSON.stringify(events);
    const signature = opts.signature ?? sign('sha256', Buffer.from(ts + body), opts.key ?? ecdsa.privateKey).toString('base64');
    return app.request('/api/webhooks/sendgrid', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': ts,
      },
      body: opts.tamper ? opts.tamper(body) : body,
    });
  };
  const mailgunSigned = (eventData: unknown, opts: { ts?: number; token?: string; key?: string } = {}) => {
    const timestamp = String(opts.ts ?? now());
    const token = opts.token ?? randomBytes(25).toString('hex');
    const signature = createHmac('sha256', opts.key ?? mailgunKey)
      .update(timestamp + token)
      .digest('hex');
    return { signature: { timestamp, token, signature }, 'event-data': eventData };
  };
  const mailgun = (body: unknown) =>
    app.request('/api/webhooks/mailgun', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const tracking = async () => (await h.sql`SELECT opens, clicks, replies FROM email_tracking WHERE task_id = ${trackerTaskId}`)[0];
  const eventCount = async () => (await h.sql`SELECT count(*)::int AS n FROM webhook_events`)[0]!.n as number;

  beforeAll(async () => {
    h = await startHarness();
    app = createApp({
      ...h.deps,
      env: { ...h.deps.env, SENDGRID_WEBHOOK_PUBLIC_KEY: publicKeyB64, MAILGUN_WEBHOOK_SIGNING_KEY: mailgunKey },
    });
    const plan = await seedPlan(h.sql);
    trackerTaskId = (await insertAiTasks(h.sql, plan, [{ processor: 'email-engagement-tracker' }]))[0]!;
    await trackEmail(h.sql, {
      taskId: trackerTaskId!,
      opportunityId: '0065e0000000001AAA',
      userId: '0055e0000000001AAA',
      provider: 'sendgrid',
      emailId: 'msg_sg',
      emailSubject: 'CFO Value Briefing',
      sentTo: 'cfo@acme.test',
      trackOpens: true,
      trackClicks: true,
      notifyOnOpen: true,
    });
    await h.sql`INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, metadata, assignee_user_id)
                VALUES (${plan.planId}, ${plan.executionId}, '0065e0000000001AAA', 'monitor', 'AI', 'Monitor engagement', ${h.sql.json({ monitorsTaskId: trackerTaskId! })}, '0055e0000000001AAA')`;
  });
  afterAll(async () => h?.close());

  describe('SendGrid (ECDSA over timestamp + raw body)', () => {
    const open = {
      email: 'cfo@acme.test',
      event: 'open',
      sg_event_id: 'ev-open-1',
      sg_message_id: 'msg_sg.filter0001.16648.5515E0B88.0',
      timestamp: now(),
    };

    it('stores a valid signed batch and counts the open, notifying the CSM of the first open', async () => {
      const res = await sendgrid([open, { ...open, event: 'click', sg_event_id: 'ev-click-1', url: 'https://acme.test/pricing' }]);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ stored: 2, duplicates: 0 });
      expect(await tracking()).toEqual({ opens: 1, clicks: 1, replies: 0 });
      expect(await h.sql`SELECT kind FROM notifications WHERE task_id = ${trackerTaskId} AND kind = 'email-open'`).toHaveLength(1);
      const [monitor] = await h.sql`SELECT metadata FROM workflow_tasks WHERE plan_task_key = 'monitor'`;
      expect(monitor!.metadata.engagement).toMatchObject({ opens: 1, clicks: 1, replies: 0 });
    });

    it('ignores a replayed request (same event ids): acknowledged, nothing counted twice', async () => {
      const before = await eventCount();
      const res = await sendgrid([open]);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ stored: 0, duplicates: 1 });
      expect(await eventCount()).toBe(before);
      expect(await tracking()).toEqual({ opens: 1, clicks: 1, replies: 0 });
    });

    it('rejects a tampered body, a signature by another key, a stale timestamp and missing headers with 401, storing nothing', async () => {
      const before = await eventCount();
      const fresh = { ...open, sg_event_id: 'ev-new' };
      const tampered = await sendgrid([fresh], { tamper: (b) => b.replace('"open"', '"click"') });
      const wrongKey = await sendgrid([fresh], { key: otherEcdsa.privateKey });
      const stale = await sendgrid([fresh], { ts: now() - 301 });
      const garbage = await sendgrid([fresh], { signature: 'bm90IGEgc2lnbmF0dXJl' });
      const none = await app.request('/api/webhooks/sendgrid', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([fresh]),
      });
      for (const res of [tampered, wrongKey, stale, garbage, none]) expect(res.status).toBe(401);
      expect((await stale.json()).error.message).toMatch(/stale/);
      expect(await eventCount()).toBe(before);
    });

    it('answers 400 to a correctly signed body that is not an event batch', async () => {
      expect((await sendgrid('{not json')).status).toBe(400);
      const res = await sendgrid({ event: 'open' });
      expect(res.status).toBe(400);
      expect((await sendgrid([{ sg_event_id: 'x' }])).status).toBe(400);
    });

    it('needs no service key: the signature is the authentication, while the rest of /api stays protected', async () => {
      const res = await sendgrid([{ ...open, event: 'delivered', sg_event_id: 'ev-delivered' }]);
      expect(res.status).toBe(200);
      for (const path of ['/api/webhooks/../workflows/tasks', '/api/workflows/tasks', '/api/webhooks/sendgrid/../../workflows/tasks'])
        expect((await app.request(path)).status).toBe(401);
    });
  });

  describe('Mailgun (HMAC-SHA256 of timestamp + token)', () => {
    const clicked = {
      event: 'clicked',
      id: 'mg-ev-1',
      timestamp: now(),
      'user-variables': { email_id: 'msg_sg' },
      message: { headers: { 'message-id': 'x@mg.acme.test' } },
    };

    it('stores a valid event and counts the click; a reply completes the monitoring task', async () => {
      const res = await mailgun(mailgunSigned(clicked));
      expect(res.status).toBe(200);
      // The tracking record is SendGrid's: a Mailgun event for the same id does not count on it.
      expect(await tracking()).toEqual({ opens: 1, clicks: 1, replies: 0 });
      await h.sql`UPDATE email_tracking SET provider = 'mailgun' WHERE task_id = ${trackerTaskId}`;
      expect((await mailgun(mailgunSigned(clicked))).status).toBe(200);
      expect((await mailgun(mailgunSigned({ ...clicked, event: 'replied', id: 'mg-ev-2' }))).status).toBe(200);
      expect(await tracking()).toEqual({ opens: 1, clicks: 2, replies: 1 });
      const [monitor] = await h.sql`SELECT status, metadata FROM workflow_tasks WHERE plan_task_key = 'monitor'`;
      expect(monitor).toMatchObject({ status: 'completed' });
    });

    it('ignores a replayed token', async () => {
      const body = mailgunSigned({ ...clicked, id: 'mg-ev-3' });
      expect(await (await mailgun(body)).json()).toEqual({ stored: 1, duplicates: 0 });
      expect(await (await mailgun(body)).json()).toEqual({ stored: 0, duplicates: 1 });
      expect((await tracking())!.clicks).toBe(3);
    });

    it('rejects a wrong key, a tampered signature, a stale timestamp and a missing signature with 401, storing nothing', async () => {
      const before = await eventCount();
      const wrongKey = mailgunSigned(clicked, { key: 'not-the-key' });
      const tampered = mailgunSigned(clicked);
      tampered.signature.token = `${tampered.signature.token}x`;
      const stale = mailgunSigned(clicked, { ts: now() - 600 });
      for (const body of [wrongKey, tampered, stale, { 'event-data': clicked }]) expect((await mailgun(body)).status).toBe(401);
      expect(await eventCount()).toBe(before);
    });

    it('answers 400 to malformed bodies', async () => {
      expect((await mailgun('{oops')).status).toBe(400);
      expect((await mailgun(mailgunSigned({ no: 'event' }))).status).toBe(400);
    });
  });

  it('answers 503 when a provider webhook is not configured', async () => {
    const bare = createApp(h.deps);
    const res = await bare.request('/api/webhooks/mailgun', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(503);
  });
});
