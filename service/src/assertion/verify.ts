import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { toId18 } from '../salesforce/ids.ts';

/** How far the signer's clock and ours may differ. */
const ASSERTION_LEEWAY_SECONDS = 60;
/** The longest lifetime (`exp - iat`) an assertion may claim: Apex makes a fresh one for every callout. */
const ASSERTION_MAX_LIFETIME_SECONDS = 300;

/** What the service checks a user assertion against (docs/trust.md). */
export interface AssertionTrust {
  /** The public keys of the certificate(s) Apex signs with; any one may have signed (rotation). */
  keys: KeyObject[];
  /** The `aud` it must carry: the service's public URL, as in the Named Credential. */
  audience: string;
  /** The `iss` it must carry: the org id, 18 characters. */
  orgId: string;
}

/** Why an assertion was refused; each is named in the 401. */
type AssertionFailure =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'audience'
  | 'expired'
  | 'not yet valid'
  | 'lifetime'
  | 'org'
  | 'user'
  | 'replayed'
  | 'user mismatch';

export class AssertionRejected extends Error {
  override name = 'AssertionRejected';
  constructor(
    readonly reason: AssertionFailure,
    detail: string,
  ) {
    super(`X-Salesforce-Assertion rejected (${reason}): ${detail}`);
  }
}

/** A verified assertion: the user it speaks for, and its id and end, for the replay check. */
interface VerifiedAssertion {
  userId: string;
  jti: string;
  /** Until when the assertion would be accepted (exp plus the leeway): its jti must stay recorded that long. */
  acceptedUntil: Date;
}

/**
 * Verifies a compact JWS user assertion: RS256 only (no `none`, no HS*), signed by one of the trusted keys, `aud`,
 * `exp`/`iat` within the leeway of `now` (the service's clock), a lifetime of at most 300 s, `iss` the org and `sub`
 * a User id. Does not check replay (that needs the database: db/assertion-jtis.ts). Throws AssertionRejected.
 */
export async function verifyUserAssertion(token: string, trust: AssertionTrust, now: Date): Promise<VerifiedAssertion> {
  const payload = await verifiedPayload(token, trust, now);
  const { iat, exp, iss, sub, jti } = payload as Required<JWTPayload>;
  if (exp - iat > ASSERTION_MAX_LIFETIME_SECONDS)
    throw new AssertionRejected('lifetime', `exp is ${exp - iat} s after iat; at most ${ASSERTION_MAX_LIFETIME_SECONDS} s`);
  if (typeof iss !== 'string' || toId18(iss) !== trust.orgId)
    throw new AssertionRejected('org', `iss ${JSON.stringify(iss).slice(0, 40)} is not the org ${trust.orgId}`);
  const userId = typeof sub === 'string' ? toId18(sub) : undefined;
  if (!userId || !userId.startsWith('005')) throw new AssertionRejected('user', 'sub must be a User id (005...)');
  if (typeof jti !== 'string' || jti.length < 16 || jti.length > 200)
    throw new AssertionRejected('malformed', 'jti must be a string of 16 to 200 characters');
  return { userId, jti, acceptedUntil: new Date((exp + ASSERTION_LEEWAY_SECONDS) * 1000) };
}

async function verifiedPayload(token: string, trust: AssertionTrust, now: Date): Promise<JWTPayload> {
  let failure: unknown;
  for (const key of trust.keys) {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['RS256'],
        audience: trust.audience,
        currentDate: now,
        clockTolerance: ASSERTION_LEEWAY_SECONDS,
        // With maxTokenAge jose also refuses an iat in the future (beyond the leeway).
        maxTokenAge: ASSERTION_MAX_LIFETIME_SECONDS,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
      });
      return payload;
    } catch (err) {
      failure = err;
      // Another key of a rotation may have signed it; any other failure is final (the signature held).
      if (!(err instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  throw rejection(failure);
}

/** jose's error, as the reason the 401 names. */
function rejection(err: unknown): AssertionRejected {
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new AssertionRejected('signature', 'not signed by a configured certificate (SALESFORCE_ASSERTION_CERT)');
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return new AssertionRejected('algorithm', 'only RS256 is accepted');
  if (err instanceof errors.JWTExpired)
    return new AssertionRejected('expired', err.claim === 'iat' ? 'iat is too far in the past' : 'exp has passed');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return new AssertionRejected('malformed', `the ${err.claim} claim is missing`);
    if (err.claim === 'aud') return new AssertionRejected('audience', "aud is not this service's audience (SERVICE_AUDIENCE)");
    if (err.claim === 'iat' || err.claim === 'nbf') return new AssertionRejected('not yet valid', `${err.claim} is in the future`);
    return new AssertionRejected('malformed', err.message);
  }
  if (err instanceof errors.JOSEError) return new AssertionRejected('malformed', 'not a compact JWS with a JSON claims set');
  throw err;
}
