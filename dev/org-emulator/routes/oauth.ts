// Local Salesforce org emulator (not Salesforce): /services/oauth2/token — the OAuth 2.0 JWT bearer flow only.

import { Hono } from 'hono';
import { JWT_BEARER_GRANT, OAuthError, tokenResponse, verifyJwtAssertion } from '../auth.ts';
import type { EmulatorEnv } from '../org.ts';

export const oauth = new Hono<EmulatorEnv>();

const DEFAULT_TTL_SECONDS = 3600;
/** The authorization servers a JWT may name: never the org's own (My Domain) URL. */
const JWT_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

oauth.post('/token', async (c) => {
  const org = c.get('org');
  const form = await c.req.parseBody();
  if (form.grant_type !== JWT_BEARER_GRANT) {
    throw new OAuthError('unsupported_grant_type', 'grant type not supported (the org emulator only knows the JWT bearer flow)');
  }
  if (!org.jwt) throw new OAuthError('invalid_grant', 'the org emulator was started without a jwt option');
  if (typeof form.assertion !== 'string') throw new OAuthError('invalid_grant', 'assertion is missing');
  const userId = verifyJwtAssertion(form.assertion, org.jwt, JWT_AUDIENCES, org.store);
  const token = org.tokens.mint(userId, org.jwt.tokenTtlSeconds ?? DEFAULT_TTL_SECONDS);
  return c.json(tokenResponse(org.url, org.orgId, userId, token));
});
