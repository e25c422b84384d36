import { UnixSecondsSchema } from '../calendar/dates.ts';
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { sendGridPublicKey, verifyMailgun, verifySendGrid } from '../email/signatures.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http-errors.ts';
import { invalidInput } from '../domain-errors.ts';
import { recordEmailEvents, type EngagementKind, type ProviderEvent } from '../workflows/email-events.ts';
import { requireStorableJson } from './storable.ts';

/**
 * Email provider webhooks. They authenticate by signature, not by the service key (app.ts exempts this path):
 * a bad, missing or stale signature is 401 and nothing is stored; a replayed event or token is acknowledged
 * (200) and ignored, so the provider stops re-sending it. A signed body that cannot be stored (NUL, a lone surrogate,
 * nesting past the bound) is a 400 naming where, and a batch is stored whole or not at all, so a resend completes it.
 * Once stored, the events drive the engagement rules of the emails they moved (complete, follow up, flag a bounce); if
 * that fails, the stored state stays and the rules' schedule applies it at its next run.
 */
const KIND: Record<string, EngagementKind> = {
  open: 'open',
  opened: 'open',
  click: 'click',
  clicked: 'click',
  reply: 'reply',
  replied: 'reply',
  // SendGrid's bounce (the receiving server refused the address for good: "blocked" is a separate, temporary type).
  bounce: 'bounce',
};

/** Mailgun reports every delivery failure as `failed`; only a permanent one is a bounce (a temporary one is retried). */
const mailgunKind = (event: string, severity: unknown): EngagementKind | undefined =>
  event === 'failed' ? (severity === 'permanent' ? 'bounce' : undefined) : KIND[event];

/** Unix seconds inside the instants Salesforce and this service store; anything else is not an event time. */
const unixSeconds = UnixSecondsSchema;

const SendGridEvents = z
  .array(
    z.looseObject({
      event: z.string().min(1).max(64),
      sg_event_id: z.string().min(1).max(200).optional(),
      sg_message_id: z.string().max(300).optional(),
      email_id: z.string().max(200).optional(),
      timestamp: unixSeconds.optional(),
      type: z.string().max(32).optional(),
      reason: z.string().max(2000).optional(),
    }),
  )
  .min(1)
  .max(1000);

const MailgunBody = z.object({
  signature: z.object({ timestamp: z.string(), token: z.string().min(1).max(200), signature: z.string() }),
  'event-data': z.looseObject({
    event: z.string().min(1).max(64),
    id: z.string().max(200).optional(),
    timestamp: unixSeconds.optional(),
    severity: z.string().max(32).optional(),
    reason: z.string().max(200).optional(),
    'delivery-status': z.looseObject({ description: z.string().max(2000).optional(), message: z.string().max(2000).optional() }).optional(),
    'user-variables': z.record(z.string(), z.unknown()).optional(),
    message: z.looseObject({ headers: z.looseObject({ 'message-id': z.string().max(300).optional() }).optional() }).optional(),
  }),
});

const unauthorized = (provider: string, reason: string) =>
  new ApiError(401, 'UNAUTHORIZED', `${provider} webhook signature rejected: ${reason}`);
const notConfigured = (variable: string) => new ApiError(503, 'INTERNAL', `This webhook is not configured (${variable} is unset)`);
const at = (seconds?: number) => (seconds ? new Date(seconds * 1000) : null);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidInput('The request body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
  }
}

function schemaIssues(err: z.ZodError) {
  return err.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message }));
}

export function webhooksRouter(deps: Deps) {
  const app = new Hono();
  const sendGridKey = deps.env.SENDGRID_WEBHOOK_PUBLIC_KEY ? sendGridPublicKey(deps.env.SENDGRID_WEBHOOK_PUBLIC_KEY) : undefined;

  app.post('/sendgrid', async (c) => {
    if (!sendGridKey) throw notConfigured('SENDGRID_WEBHOOK_PUBLIC_KEY');
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const check = verifySendGrid(
      sendGridKey,
      c.req.header('x-twilio-email-event-webhook-signature'),
      c.req.header('x-twilio-email-event-webhook-timestamp'),
      raw,
    );
    if (!check.ok) throw unauthorized('SendGrid', check.reason);
    const parsed = SendGridEvents.safeParse(requireStorableJson(parseJson(Buffer.from(raw).toString('utf8'))));
    if (!parsed.success) throw invalidInput('Not a SendGrid event batch', schemaIssues(parsed.error));
    const events = parsed.data.map((e) => ({
      event: {
        provider: 'sendgrid',
        // Events without an id (never seen from SendGrid, but possible) are keyed by their content.
        dedupeKey: e.sg_event_id ?? createHash('sha256').update(JSON.stringify(e)).digest('hex'),
        event: e.event,
        emailId: e.email_id ?? e.sg_message_id?.split('.')[0] ?? null,
        occurredAt: at(e.timestamp),
        reason: e.reason?.slice(0, 255) ?? null,
        payload: e,
      } satisfies ProviderEvent,
      kind: e.event === 'bounce' && e.type === 'blocked' ? undefined : KIND[e.event],
    }));
    const results = await recordEmailEvents(deps, events);
    const stored = results.filter((r) => r === 'stored').length;
    const duplicates = results.length - stored;
    deps.log.info('sendgrid webhook', { stored, duplicates });
    return c.json({ stored, duplicates }, 200);
  });

  app.post('/mailgun', async (c) => {
    const signingKey = deps.env.MAILGUN_WEBHOOK_SIGNING_KEY;
    if (!signingKey) throw notConfigured('MAILGUN_WEBHOOK_SIGNING_KEY');
    const body = parseJson(await c.req.text()) as { signature?: Record<string, unknown> } | null;
    // The signature comes first: nothing about an unsigned request is looked at further.
    const check = verifyMailgun(signingKey, (body && typeof body === 'object' && body.signature) || {});
    if (!check.ok) throw unauthorized('Mailgun', check.reason);
    const parsed = MailgunBody.safeParse(requireStorableJson(body));
    if (!parsed.success) throw invalidInput('Not a Mailgun webhook', schemaIssues(parsed.error));
    const data = parsed.data['event-data'];
    const emailId = data['user-variables']?.email_id;
    const event: ProviderEvent = {
      provider: 'mailgun',
      dedupeKey: parsed.data.signature.token,
      event: data.event,
      emailId: typeof emailId === 'string' ? emailId : (data.message?.headers?.['message-id'] ?? null),
      occurredAt: at(data.timestamp),
      reason: (data['delivery-status']?.description || data['delivery-status']?.message || data.reason)?.slice(0, 255) ?? null,
      payload: data,
    };
    const [result] = await recordEmailEvents(deps, [{ event, kind: mailgunKind(data.event, data.severity) }]);
    deps.log.info('mailgun webhook', { result, event: data.event });
    return c.json({ stored: result === 'stored' ? 1 : 0, duplicates: result === 'duplicate' ? 1 : 0 }, 200);
  });

  return app;
}
