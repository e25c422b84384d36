import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isFresh, sendGridPublicKey, verifyMailgun, verifySendGrid } from './signatures.ts';

describe('webhook signatures', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  const ts = (offsetSeconds: number) => String(now / 1000 + offsetSeconds);

  it('accepts timestamps within five minutes either way and refuses older, newer or malformed ones', () => {
    expect(isFresh(ts(-300), now)).toBe(true);
    expect(isFresh(ts(300), now)).toBe(true);
    expect(isFresh(ts(-301), now)).toBe(false);
    expect(isFresh(ts(301), now)).toBe(false);
    for (const bad of ['', '12.5', '-1', 'abc', '1e9']) expect(isFresh(bad, now)).toBe(false);
  });

  it('verifies a SendGrid ECDSA signature over timestamp + body with a base64 DER or PEM key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const body = Buffer.from('[{"event":"open"}]');
    const signature = sign('sha256', Buffer.concat([Buffer.from(ts(0)), body]), privateKey).toString('base64');
    for (const key of [
      publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ]) {
      expect(verifySendGrid(sendGridPublicKey(key), signature, ts(0), body, now)).toEqual({ ok: true });
      expect(verifySendGrid(sendGridPublicKey(key), signature, ts(1), body, now).ok).toBe(false);
      expect(verifySendGrid(sendGridPublicKey(key), signature, ts(0), Buffer.from('[{"event":"click"}]'), now).ok).toBe(false);
    }
  });

  it('verifies a Mailgun HMAC in constant time and refuses malformed signatures', () => {
    const key = 'signing-key';
    const token = 'a'.repeat(50);
    const signature = createHmac('sha256', key)
      .update(ts(0) + token)
      .digest('hex');
    expect(verifyMailgun(key, { timestamp: ts(0), token, signature }, now)).toEqual({ ok: true });
    expect(verifyMailgun(key, { timestamp: ts(0), token, signature: signature.toUpperCase() }, now)).toEqual({ ok: true });
    expect(verifyMailgun(key, { timestamp: ts(0), token, signature: signature.slice(0, 63) }, now).ok).toBe(false);
    expect(verifyMailgun('other', { timestamp: ts(0), token, signature }, now).ok).toBe(false);
    expect(
      verifyMailgun(
        key,
        {
          timestamp: ts(-400),
          token,
          signature: createHmac('sha256', key)
            .update(ts(-400) + token)
            .digest('hex'),
        },
        now,
      ),
    ).toEqual({ ok: false, reason: 'stale or malformed timestamp' });
    expect(verifyMailgun(key, { timestamp: 5, token, signature }, now).ok).toBe(false);
  });
});
