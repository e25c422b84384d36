// Local Salesforce org emulator (not Salesforce): bearer tokens and the OAuth 2.0 JWT bearer flow with jsforce.

import { generateKeyPairSync, sign } from 'node:crypto';
import { Connection } from 'jsforce';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ID = '3MVG9-demo-connected-app';
const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const keys = keyPair();
const PRODUCTION = 'https://login.salesforce.com';

/** An RS256 JWT like the service would sign for the JWT bearer flow. */
function assertion(aud: string, overrides: Record<string, unknown> = {}, privateKey = keys.privateKey): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { iss: CLIENT_ID, sub: 'jordan.lee@rap-demo.example', aud, exp: Math.floor(Date.now() / 1000) + 180, ...overrides };
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}

let org: OrgEmulator;
afterEach(() => org.close());

const start = (tokenTtlSeconds?: number, accessToken?: string) =>
  startDemoOrg({ today: TODAY, accessToken, jwt: { clientId: CLIENT_ID, publicKeyPem: keys.publicKey, tokenTtlSeconds } });

/** Logs in with jsforce's own JWT bearer support (Connection#authorize). */
async function login(jwt: string): Promise<Connection> {
  const conn = new Connection({ loginUrl: org.url, version: '62.0' });
  await conn.authorize({ grant_type: JWT_GRANT, assertion: jwt });
  return conn;
}

describe('bearer tokens', () => {
  it('accepts any non-empty bearer token by default and refuses a missing one', async () => {
    org = await startDemoOrg({ today: TODAY });
    expect((await connect(org, 'whatever').query('SELECT Id FROM Account')).totalSize).toBe(4);
    const response = await fetch(`${org.url}/services/data/v62.0/query?q=SELECT+Id+FROM+Account`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('accepts only the configured token when accessToken is set', async () => {
    org = await startDemoOrg({ today: TODAY, accessToken: 'the-one-token' });
    expect((await connect(org, 'the-one-token').query('SELECT Id FROM Account')).totalSize).toBe(4);
    const err = await failureOf(connect(org, 'another-token').query('SELECT Id FROM Account'));
    expect(err.name).toBe('INVALID_SESSION_ID');
  });
});

describe('JWT bearer flow', () => {
  it('mints a token for the user named in sub, usable as a bearer token', async () => {
    org = await start(undefined, 'static-token');
    const conn = await login(assertion(PRODUCTION));
    expect(conn.instanceUrl).toBe(org.url);
    expect(conn.userInfo?.id).toBe(DEMO_IDS.users.jordanLee);
    expect(conn.accessToken).toMatch(/^00D\w{12}!/);
    expect((await conn.query('SELECT Id FROM Opportunity')).totalSize).toBe(4);
    // Records are written as the token's user.
    const { id } = await conn.sobject('Task').create({ Subject: 'Written as Jordan' });
    expect(org.records('Task').find((t) => t.Id === id)).toMatchObject({
      OwnerId: DEMO_IDS.users.jordanLee,
      CreatedById: DEMO_IDS.users.jordanLee,
    });
  });

  it('returns the token response Salesforce returns', async () => {
    org = await start();
    const response = await fetch(`${org.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: JWT_GRANT, assertion: assertion('https://login.salesforce.com') }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      access_token: expect.any(String),
      instance_url: org.url,
      id: `${org.url}/id/00D5e0000000001EAA/${DEMO_IDS.users.jordanLee}`,
      token_type: 'Bearer',
      scope: 'api',
      issued_at: expect.stringMatching(/^\d+$/),
      signature: expect.any(String),
    });
  });

  it.each([
    ['a different key', () => assertion(PRODUCTION, {}, keyPair().privateKey), /signature/],
    ['an expired assertion', () => assertion(PRODUCTION, { exp: Math.floor(Date.now() / 1000) - 10 }), /expired/],
    ['a wrong audience', () => assertion('https://example.com'), /audience/],
    // The org's own URL (My Domain) is not an audience Salesforce accepts, even though the token request may go there.
    ['its own (My Domain) URL as the audience', () => assertion(org.url), /audience/],
    ['another client id', () => assertion(PRODUCTION, { iss: 'someone-else' }), /client id/],
    ['an unknown user', () => assertion(PRODUCTION, { sub: 'nobody@example.com' }), /user/],
    ['an inactive user', () => assertion(PRODUCTION, { sub: 'casey.former@rap-demo.example' }), /inactive user/],
  ])('refuses %s with invalid_grant', async (_, makeJwt, description) => {
    org = await start();
    const err = await failureOf(login(makeJwt()));
    expect(err.name).toBe('invalid_grant');
    expect(err.message).toMatch(description);
  });

  it('refuses other grant types', async () => {
    org = await start();
    const response = await fetch(`${org.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'u', password: 'p' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('invalidates minted tokens on expireTokens(), and a fresh assertion works again', async () => {
    org = await start();
    const conn = await login(assertion(PRODUCTION));
    org.expireTokens();
    expect((await failureOf(conn.query('SELECT Id FROM Account'))).name).toBe('INVALID_SESSION_ID');
    const again = await login(assertion(PRODUCTION));
    expect((await again.query('SELECT Id FROM Account')).totalSize).toBe(4);
  });

  it('lets jsforce re-mint through refreshFn when the session expires', async () => {
    org = await start();
    let mints = 0;
    const conn = new Connection({
      loginUrl: org.url,
      version: '62.0',
      refreshFn: (c, callback) => {
        mints += 1;
        c.oauth2.requestToken({ grant_type: JWT_GRANT, assertion: assertion(PRODUCTION) }).then(
          (res) => callback(null, res.access_token, res),
          (err) => callback(err),
        );
      },
    });
    await conn.authorize({ grant_type: JWT_GRANT, assertion: assertion(PRODUCTION) });
    org.expireTokens();
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(4);
    expect(mints).toBe(1);
    expect(org.requests.map((r) => `${r.status} ${r.path}`)).toEqual([
      '200 /services/oauth2/token',
      '401 /services/data/v62.0/query',
      '200 /services/oauth2/token',
      '200 /services/data/v62.0/query',
    ]);
  });

  it('expires minted tokens after tokenTtlSeconds', async () => {
    org = await start(1);
    const conn = await login(assertion(PRODUCTION));
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(4);
    // 1.1 s later, on a pinned clock rather than a real sleep (only Date is faked: sockets and timers run as usual).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 1100);
      expect((await failureOf(conn.query('SELECT Id FROM Account'))).name).toBe('INVALID_SESSION_ID');
    } finally {
      vi.useRealTimers();
    }
  });
});
