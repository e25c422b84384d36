// Local Salesforce org emulator (not Salesforce): bearer tokens and the OAuth 2.0 JWT bearer flow.
// Token lifetimes and JWT `exp` use the real clock, because the client signs assertions with real time
// even when the emulated org's "today" is fixed.

import { createHmac, randomBytes, verify } from 'node:crypto';
import type { OrgStore } from './store.ts';

export interface JwtConfig {
  clientId: string;
  publicKeyPem: string;
  tokenTtlSeconds?: number;
}

/** An OAuth error body: `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Which bearer tokens are accepted, and which user each one runs as. */
export class TokenRegistry {
  private minted = new Map<string, { userId: string; expiresAt: number }>();

  constructor(
    private readonly orgId: string,
    private readonly staticToken: string | undefined,
    private readonly defaultUserId: string,
  ) {}

  /** The running user's id for an Authorization header, or undefined when the session is invalid. */
  authenticate(header: string | undefined): string | undefined {
    const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1]?.trim();
    if (!token) return undefined;
    const session = this.minted.get(token);
    if (session) return session.expiresAt > Date.now() ? session.userId : undefined;
    if (this.staticToken !== undefined) return token === this.staticToken ? this.defaultUserId : undefined;
    return this.defaultUserId;
  }

  /** A new Salesforce-looking access token (`00D...!...`) for a user. */
  mint(userId: string, ttlSeconds: number): string {
    const token = `${this.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    this.minted.set(token, { userId, expiresAt: Date.now() + ttlSeconds * 1000 });
    return token;
  }

  /** Every minted token stops working (the caller must mint a new one). */
  expireAll(): void {
    for (const session of this.minted.values()) session.expiresAt = 0;
  }
}

const decodeJson = (part: string | undefined): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new OAuthError('invalid_grant', 'invalid assertion: not a JWT');
};

/** Checks an RS256 JWT assertion and returns the id of the active user it names. Throws OAuthError. */
export function verifyJwtAssertion(assertion: string, config: JwtConfig, audiences: string[], store: OrgStore): string {
  const [header, payload, signature] = assertion.split('.');
  const head = decodeJson(header);
  const claims = decodeJson(payload);
  if (head.alg !== 'RS256') throw new OAuthError('invalid_grant', 'invalid assertion: alg must be RS256');
  const signed = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), config.publicKeyPem, Buffer.from(signature ?? '', 'base64url'));
  if (!signed) throw new OAuthError('invalid_grant', 'invalid assertion: signature does not match the certificate');
  if (claims.iss !== config.clientId)
    throw new OAuthError('invalid_grant', 'invalid assertion: iss is not the client id of a connected app');
  const aud = [claims.aud].flat();
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a.replace(/\/$/, '')))) {
    throw new OAuthError('invalid_grant', `audience is invalid: expected one of ${audiences.join(', ')}`);
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
    throw new OAuthError('invalid_grant', 'expired authorization code: exp is missing or in the past');
  }
  const user = store
    .list('User')
    .find((u) => typeof claims.sub === 'string' && String(u.Username).toLowerCase() === claims.sub.toLowerCase());
  if (!user) throw new OAuthError('invalid_grant', "user hasn't approved this consumer: no user with that username");
  if (user.IsActive !== true) throw new OAuthError('invalid_grant', 'inactive user');
  return String(user.Id);
}

/** The token response body Salesforce returns for a successful grant. */
export function tokenResponse(url: string, orgId: string, userId: string, accessToken: string) {
  const id = `${url}/id/${orgId}/${userId}`;
  const issuedAt = String(Date.now());
  return {
    access_token: accessToken,
    instance_url: url,
    id,
    token_type: 'Bearer',
    scope: 'api',
    issued_at: issuedAt,
    signature: createHmac('sha256', orgId)
      .update(id + issuedAt)
      .digest('base64'),
  };
}
