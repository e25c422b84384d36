import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { wallClockMs } from '../clock.ts';

/** Webhook requests older (or newer) than this are refused, so a captured request cannot be replayed later. */
const MAX_WEBHOOK_AGE_SECONDS = 5 * 60;

type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** True when a unix-seconds timestamp is within five minutes of now. */
export function isFresh(timestampSeconds: string, nowMs = wallClockMs()): boolean {
  if (!/^\d{1,12}$/.test(timestampSeconds)) return false;
  return Math.abs(nowMs / 1000 - Number(timestampSeconds)) <= MAX_WEBHOOK_AGE_SECONDS;
}

/** SendGrid's Event Webhook verification key: base64 DER (as the SendGrid UI shows it) or PEM. */
export function sendGridPublicKey(key: string): KeyObject {
  const trimmed = key.trim();
  if (trimmed.includes('-----BEGIN')) return createPublicKey(trimmed.replace(/\\n/g, '\n'));
  return createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
}

/**
 * SendGrid Signed Event Webhook: an ECDSA (P-256, SHA-256) signature, base64 DER, over the timestamp header
 * followed by the raw request body, in `X-Twilio-Email-Event-Webhook-Signature`.
 */
export function verifySendGrid(
  publicKey: KeyObject,
  signatureB64: string | undefined,
  timestamp: string | undefined,
  rawBody: Uint8Array,
  nowMs = wallClockMs(),
): SignatureCheck {
  if (!signatureB64 || !timestamp) return { ok: false, reason: 'missing signature or timestamp header' };
  if (!isFresh(timestamp, nowMs)) return { ok: false, reason: 'stale or malformed timestamp' };
  const signature = Buffer.from(signatureB64, 'base64');
  if (signature.length === 0) return { ok: false, reason: 'malformed signature' };
  let valid = false;
  try {
    valid = verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]), publicKey, signature);
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** Mailgun webhook signature: hex HMAC-SHA256 of timestamp + token with the webhook signing key, compared in constant time. */
export function verifyMailgun(
  signingKey: string,
  s: { timestamp?: unknown; token?: unknown; signature?: unknown },
  nowMs = wallClockMs(),
): SignatureCheck {
  if (typeof s.timestamp !== 'string' || typeof s.token !== 'string' || typeof s.signature !== 'string')
    return { ok: false, reason: 'missing signature fields' };
  if (!isFresh(s.timestamp, nowMs)) return { ok: false, reason: 'stale or malformed timestamp' };
  const expected = createHmac('sha256', signingKey)
    .update(s.timestamp + s.token)
    .digest();
  const given = /^[0-9a-f]{64}$/i.test(s.signature) ? Buffer.from(s.signature, 'hex') : Buffer.alloc(0);
  const valid = given.length === expected.length && timingSafeEqual(given, expected);
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
