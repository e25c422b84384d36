// Local email provider test server (NOT SendGrid, NOT Mailgun): a protocol-level stand-in that speaks the slice of
// their HTTP APIs the engagement tracker uses, so the real HTTP calls are exercised offline.
//   SendGrid: PATCH /v3/tracking_settings/open | /v3/tracking_settings/click, JSON {enabled}, "Authorization: Bearer <key>"
//   Mailgun:  PUT /v3/domains/{domain}/tracking/open | /click, form "active=yes", "Authorization: Basic api:<key>"
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';

interface RecordedCall {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

export interface EmailProviderTestServer {
  url: string;
  calls: RecordedCall[];
  /** The next `count` calls answer this HTTP status with the provider's error shape. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

export async function startEmailProviderTestServer(keys: {
  sendGridKey: string;
  mailgunKey: string;
  mailgunDomain: string;
}): Promise<EmailProviderTestServer> {
  const calls: RecordedCall[] = [];
  const failures: number[] = [];
  const tracking = { sendgrid: { open: false, click: false }, mailgun: { open: false, click: false } };
  const app = new Hono();

  app.use('*', async (c, next) => {
    calls.push({
      method: c.req.method,
      path: c.req.path,
      authorization: c.req.header('authorization'),
      contentType: c.req.header('content-type'),
      body: await c.req.text(),
    });
    const status = failures.shift();
    if (status) {
      const sendgrid = c.req.path.startsWith('/v3/tracking_settings');
      return c.json(
        sendgrid ? { errors: [{ field: null, message: `injected ${status}` }] } : { message: `injected ${status}` },
        status as 400,
      );
    }
    await next();
  });

  app.patch('/v3/tracking_settings/:kind{open|click}', async (c) => {
    if (c.req.header('authorization') !== `Bearer ${keys.sendGridKey}`)
      return c.json({ errors: [{ field: null, message: 'authorization required' }] }, 401);
    const body = JSON.parse(calls.at(-1)!.body || '{}') as { enabled?: unknown };
    if (typeof body.enabled !== 'boolean') return c.json({ errors: [{ field: 'enabled', message: 'enabled must be a boolean' }] }, 400);
    const kind = c.req.param('kind') as 'open' | 'click';
    tracking.sendgrid[kind] = body.enabled;
    return c.json(kind === 'click' ? { enable_text: false, enabled: body.enabled } : { enabled: body.enabled });
  });

  app.put('/v3/domains/:domain/tracking/:kind{open|click}', async (c) => {
    const expected = `Basic ${Buffer.from(`api:${keys.mailgunKey}`).toString('base64')}`;
    if (c.req.header('authorization') !== expected) return c.text('Forbidden', 401);
    if (c.req.param('domain') !== keys.mailgunDomain) return c.json({ message: 'Domain not found' }, 404);
    const form = new URLSearchParams(calls.at(-1)!.body);
    const active = form.get('active');
    if (!active || !['yes', 'no', 'true', 'false', 'htmlonly'].includes(active))
      return c.json({ message: 'active must be yes or no' }, 400);
    const kind = c.req.param('kind') as 'open' | 'click';
    tracking.mailgun[kind] = active === 'yes' || active === 'true';
    return c.json({ message: 'Domain tracking settings have been updated', [kind]: { active: tracking.mailgun[kind] } });
  });

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    failNext: (count, status) => failures.push(...Array(count).fill(status)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
