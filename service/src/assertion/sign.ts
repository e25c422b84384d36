import { randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** The claims of a user assertion, as Apex's RenewalActionPlanAssertion builds them. */
export interface AssertionClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
}

/**
 * Signs a user assertion the way the package's Apex does (RS256, `{"alg":"RS256","typ":"JWT"}`): for the stand-ins of
 * Apex in the embedded mode (the preview's server-side signer, `npm run assertion`) and for tests. The service itself
 * only verifies.
 */
export async function signUserAssertion(privateKey: KeyObject, claims: AssertionClaims): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(privateKey);
}

/** The claims of a fresh assertion for `user`, issued at `now`, valid for `lifetimeSeconds` (120 s, as Apex). */
export function freshClaims(opts: { orgId: string; user: string; audience: string; now: Date; lifetimeSeconds?: number }): AssertionClaims {
  const iat = Math.floor(opts.now.getTime() / 1000);
  return {
    iss: opts.orgId,
    sub: opts.user,
    aud: opts.audience,
    iat,
    exp: iat + (opts.lifetimeSeconds ?? 120),
    jti: randomBytes(16).toString('hex'),
  };
}
