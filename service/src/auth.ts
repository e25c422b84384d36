import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { verifyUserAssertion, AssertionRejected, type AssertionTrust } from './assertion/verify.ts';
import { recordAssertionJti } from './db/assertion-jtis.ts';
import type { Sql } from './db/sql.ts';
import { ApiError } from './http-errors.ts';
import type { Logger } from './log.ts';
import { invalidInput } from './domain-errors.ts';
import { SalesforceId } from './salesforce/ids.ts';

export type AuthEnv = { Variables: { userId: string; requestId: string } };

/**
 * How the service learns which Salesforce user a request acts for: from a signed user assertion (docs/trust.md), or,
 * for development only (SERVICE_TRUST_HEADER_ONLY=true), from the X-Salesforce-User-Id header as sent.
 */
export type UserIdentity = { mode: 'assertion'; trust: AssertionTrust } | { mode: 'header-only' };

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A check of a secret against the expected one in constant time (both hashed first, so the length does not leak
 * either); the expected secret's digest is computed once, not at every request.
 */
export function secretCheck(expected: string): (given: string) => boolean {
  const want = digest(expected);
  return (given) => timingSafeEqual(digest(given), want);
}

const ASSERTION_ISSUE = 'header.X-Salesforce-Assertion';

/**
 * Every /api request: `Authorization: Bearer <SERVICE_API_KEY>` (401 otherwise: the Named Credential proves the caller
 * is the package), then the user it acts for. With assertions, `X-Salesforce-Assertion` must verify (verify.ts), be
 * unused (its jti recorded once, in the database, so every instance agrees) and, when X-Salesforce-User-Id is also
 * sent, name the same user; any failure is a 401 naming it, before anything is read or written. Header-only, the user
 * is X-Salesforce-User-Id (400 when missing or malformed). Sets `userId`.
 */
export function requireServiceAuth(opts: {
  apiKey: string;
  identity: UserIdentity;
  sql: Sql;
  now: () => Date;
  log: Logger;
}): MiddlewareHandler<AuthEnv> {
  const isApiKey = secretCheck(opts.apiKey);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (.+)$/i.exec(header.trim());
    if (!match || !isApiKey(match[1]!)) {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        header ? 'The service API key is not valid' : 'Missing Authorization: Bearer <service API key>',
      );
    }
    const claimed = headerUser(c.req.header('x-salesforce-user-id'), opts.identity.mode === 'header-only');
    const { identity } = opts;
    const userId =
      identity.mode === 'assertion'
        ? await assertedUser(c.req.header('x-salesforce-assertion'), claimed, identity.trust, { ...opts, requestId: c.get('requestId') })
        : claimed!;
    c.set('userId', userId);
    await next();
  };
}

/** The X-Salesforce-User-Id header, normalized to 18 characters (400 when malformed, or missing where required). */
function headerUser(userId: string | undefined, required: boolean): string | undefined {
  if (userId === undefined && !required) return undefined;
  const parsed = SalesforceId.safeParse(userId);
  if (!parsed.success || !userId!.startsWith('005')) {
    const message = userId === undefined ? 'is required' : parsed.success ? 'must be a User id (005...)' : parsed.error.issues[0]!.message;
    throw invalidInput(`X-Salesforce-User-Id ${message}`, [{ path: 'header.X-Salesforce-User-Id', message }]);
  }
  return parsed.data;
}

async function assertedUser(
  token: string | undefined,
  claimed: string | undefined,
  trust: AssertionTrust,
  opts: { sql: Sql; now: () => Date; log: Logger; requestId: string },
): Promise<string> {
  try {
    if (!token) throw new AssertionRejected('missing', 'send the signed user assertion built by the package (docs/trust.md)');
    const verified = await verifyUserAssertion(token.trim(), trust, opts.now());
    if (claimed !== undefined && claimed !== verified.userId)
      throw new AssertionRejected('user mismatch', `X-Salesforce-User-Id is not the assertion's sub (${verified.userId})`);
    // Last, so a refused request leaves nothing behind; the insert decides between concurrent replays.
    if (!(await recordAssertionJti(opts.sql, verified.jti, verified.userId, verified.acceptedUntil)))
      throw new AssertionRejected('replayed', 'this jti was used before; every callout needs a fresh assertion');
    return verified.userId;
  } catch (err) {
    if (!(err instanceof AssertionRejected)) throw err;
    // What an admin setting up the org needs to see (an audience or certificate that differs); never the token.
    opts.log.warn('user assertion rejected', { requestId: opts.requestId, reason: err.reason });
    throw new ApiError(401, 'UNAUTHORIZED', err.message, [{ path: ASSERTION_ISSUE, message: err.reason }]);
  }
}
