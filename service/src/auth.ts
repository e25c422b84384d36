import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './http-errors.ts';
import { invalidInput } from './domain-errors.ts';
import { SalesforceId } from './salesforce/ids.ts';

export type AuthEnv = { Variables: { userId: string; requestId: string } };

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares secrets in constant time (hashing first so the length does not leak either). */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Every /api request: `Authorization: Bearer <SERVICE_API_KEY>` (401 otherwise) and the Salesforce user
 * the request acts for in `X-Salesforce-User-Id` (400 when missing or malformed).
 */
export function requireServiceAuth(apiKey: string): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (.+)$/i.exec(header.trim());
    if (!match || !secretsEqual(match[1]!, apiKey)) {
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        header ? 'The service API key is not valid' : 'Missing Authorization: Bearer <service API key>',
      );
    }
    const userId = c.req.header('x-salesforce-user-id');
    const parsed = SalesforceId.safeParse(userId);
    if (!parsed.success || !userId!.startsWith('005')) {
      const message =
        userId === undefined ? 'is required' : parsed.success ? 'must be a User id (005...)' : parsed.error.issues[0]!.message;
      throw invalidInput(`X-Salesforce-User-Id ${message}`, [{ path: 'header.X-Salesforce-User-Id', message }]);
    }
    c.set('userId', parsed.data);
    await next();
  };
}
