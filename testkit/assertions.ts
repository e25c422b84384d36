import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { freshClaims, signUserAssertion, type AssertionClaims } from '../service/src/assertion/sign.ts';
import type { AssertionTrust } from '../service/src/assertion/verify.ts';
import type { RunningService } from '../service/src/server.ts';

/** The audience the test kit configures into the app: what a Named Credential's URL would be. */
export const TEST_AUDIENCE = 'https://renewal-action-plans.test';

/** A key pair made once per test process (RSA 2048), standing in for the org certificate Apex signs with. */
let pair: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
export function testAssertionKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  pair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair;
}

/** The trust the test kit configures: the test key pair's public key, TEST_AUDIENCE and the org's id. */
export function testAssertionTrust(orgId: string): AssertionTrust {
  return { keys: [testAssertionKeys().publicKey], audience: TEST_AUDIENCE, orgId };
}

/**
 * A fresh user assertion as the package's Apex would send it, signed with the test key: for `user`, issued at `now`,
 * valid 120 s, a new jti. Any claim can be overridden (`{ aud: 'https://elsewhere' }`), and `key` signs with another
 * private key.
 * @example await signAssertion({ user: h.users['Jordan Lee'], orgId: h.org.orgId, now: h.deps.now() })
 */
export async function signAssertion(opts: {
  user: string;
  orgId: string;
  now: Date;
  overrides?: Partial<AssertionClaims>;
  key?: KeyObject;
}): Promise<string> {
  const claims = { ...freshClaims({ orgId: opts.orgId, user: opts.user, audience: TEST_AUDIENCE, now: opts.now }), ...opts.overrides };
  return signUserAssertion(opts.key ?? testAssertionKeys().privateKey, claims);
}

/**
 * A fresh assertion for a service started by `startService` in the embedded mode, signed with its demo key (DATA_DIR)
 * for its org and audience: what the local preview's stand-in for Apex sends.
 */
export async function embeddedAssertion(service: RunningService, user: string): Promise<string> {
  const identity = service.deps.userIdentity;
  if (!service.demoKey || identity.mode !== 'assertion') throw new Error('not an embedded service verifying assertions');
  const { orgId, audience } = identity.trust;
  return signUserAssertion(service.demoKey.privateKey, freshClaims({ orgId, user, audience, now: service.deps.now() }));
}
