import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../service/src/app.ts';
import { loadAssertionKeys } from '../../service/src/assertion/certificates.ts';
import { storedDemoAssertionKey } from '../../service/src/assertion/demo-key.ts';
import { userIdentityFor } from '../../service/src/assertion/identity.ts';
import { freshClaims, signUserAssertion } from '../../service/src/assertion/sign.ts';
import { loadConfig } from '../../service/src/config.ts';
import { pruneAssertionJtis } from '../../service/src/db/assertion-jtis.ts';
import { createLogger } from '../../service/src/log.ts';
import { serviceSchedules } from '../../service/src/schedules/schedules.ts';
import { connectSalesforce } from '../../service/src/salesforce/connection.ts';
import { signAssertion, TEST_AUDIENCE, testAssertionKeys } from '../../testkit/assertions.ts';
import { API_KEY, startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * The signed user assertion (issue 21): the user a request acts for is the `sub` of an RS256 JWS signed with the org's
 * certificate, not what a header claims. Every refusal is a 401 naming what failed, and nothing is written.
 */
describe('signed user assertion', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const jordan = () => h.users['Jordan Lee']!;
  const counts = async () =>
    (
      await h.sql<{ executions: number; jtis: number }[]>`
      SELECT (SELECT count(*)::int FROM workflow_executions) AS executions, (SELECT count(*)::int FROM assertion_jtis) AS jtis`
    )[0]!;
  /** Starts the Acme workflow with exactly these headers besides the service key. */
  const start = (headers: Record<string, string>, app = h.app) =>
    app.request('/api/workflows/executions', {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ opportunityId: h.discoveryId }),
    });
  const claims = (overrides: Record<string, unknown> = {}) =>
    signAssertion({ user: jordan(), orgId: h.orgId, now: h.deps.now(), overrides });
  const nowSeconds = () => Math.floor(h.deps.now().getTime() / 1000);

  /** Expects a 401 naming `reason`, with no execution started and no jti recorded. */
  async function refused(headers: Record<string, string>, reason: string) {
    const before = await counts();
    const res = await start(headers);
    const body: any = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(401);
    expect(body.error).toMatchObject({ code: 'UNAUTHORIZED', issues: [{ path: 'header.X-Salesforce-Assertion', message: reason }] });
    expect(body.error.message).toContain(`rejected (${reason})`);
    expect(await counts()).toEqual(before);
    const logged = h.logLines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'user assertion rejected' && l.requestId === body.error.requestId);
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', reason })]);
  }

  it('acts for the sub of a valid assertion, and records its jti', async () => {
    const before = await counts();
    const res = await start({ 'x-salesforce-assertion': await claims() });
    expect(res.status).toBe(201);
    const { execution }: any = await res.json();
    const [row] = await h.sql`SELECT started_by FROM workflow_executions WHERE id = ${execution.id}`;
    expect(row).toEqual({ started_by: jordan() });
    expect(await counts()).toEqual({ executions: before.executions + 1, jtis: before.jtis + 1 });
    // X-Salesforce-User-Id may be sent too, in its 15-character form, when it names the same user.
    const both = await h.api('GET', '/api/workflows/tasks', undefined, { user: jordan().slice(0, 15) });
    expect(both.status).toBe(200);
  });

  it('is described in the OpenAPI document: the service key and the assertion, on every operation', async () => {
    const doc: any = await (await h.app.request('/openapi.json')).json();
    expect(doc.security).toEqual([{ serviceKey: [], userAssertion: [] }]);
    expect(doc.components.securitySchemes.userAssertion).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Salesforce-Assertion' });
  });

  it('refuses a request without an assertion, with the service key alone (missing)', async () => {
    await refused({ 'x-salesforce-user-id': jordan() }, 'missing');
  });

  it('refuses an assertion signed by another key (signature)', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await signAssertion({ user: jordan(), orgId: h.orgId, now: h.deps.now(), key: other });
    await refused({ 'x-salesforce-assertion': forged }, 'signature');
    // A valid assertion with one character of its signature changed.
    const valid = await claims();
    const last = valid.at(-2) === 'A' ? 'B' : 'A';
    await refused({ 'x-salesforce-assertion': valid.slice(0, -2) + last + valid.at(-1) }, 'signature');
  });

  it('refuses alg none and HS256, even "signed" with the public key (algorithm)', async () => {
    const body = Buffer.from(JSON.stringify(freshClaims({ orgId: h.orgId, user: jordan(), audience: TEST_AUDIENCE, now: h.deps.now() })));
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body.toString('base64url')}.`;
    await refused({ 'x-salesforce-assertion': none }, 'algorithm');
    const publicPem = testAssertionKeys().publicKey.export({ type: 'spki', format: 'pem' });
    const hs256 = await new SignJWT({ ...freshClaims({ orgId: h.orgId, user: jordan(), audience: TEST_AUDIENCE, now: h.deps.now() }) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(String(publicPem)));
    await refused({ 'x-salesforce-assertion': hs256 }, 'algorithm');
  });

  it('refuses another audience (audience)', async () => {
    await refused({ 'x-salesforce-assertion': await claims({ aud: 'https://another-service.example' }) }, 'audience');
  });

  it('refuses an expired assertion, past the 60 s leeway (expired)', async () => {
    const iat = nowSeconds() - 200;
    await refused({ 'x-salesforce-assertion': await claims({ iat, exp: iat + 120 }) }, 'expired');
    // Within the leeway it is still accepted.
    expect(
      (await h.api('GET', '/api/workflows/tasks', undefined, { assertion: await claims({ iat: iat + 90, exp: iat + 150 }) })).status,
    ).toBe(200);
  });

  it('refuses an iat in the future beyond the leeway (not yet valid)', async () => {
    const iat = nowSeconds() + 120;
    await refused({ 'x-salesforce-assertion': await claims({ iat, exp: iat + 120 }) }, 'not yet valid');
  });

  it('refuses a lifetime over 300 s (lifetime)', async () => {
    const iat = nowSeconds();
    await refused({ 'x-salesforce-assertion': await claims({ iat, exp: iat + 301 }) }, 'lifetime');
  });

  it('refuses another org (org)', async () => {
    await refused({ 'x-salesforce-assertion': await claims({ iss: '00D5e0000000002AAA' }) }, 'org');
  });

  it('refuses a sub that is not a User id (user)', async () => {
    await refused({ 'x-salesforce-assertion': await claims({ sub: h.discoveryId }) }, 'user');
  });

  it('refuses X-Salesforce-User-Id naming another user than sub (user mismatch)', async () => {
    await refused({ 'x-salesforce-assertion': await claims(), 'x-salesforce-user-id': h.users['Alex Admin']! }, 'user mismatch');
  });

  it('refuses a replayed jti, also on another instance sharing the database (replayed)', async () => {
    const assertion = await claims();
    expect((await h.api('GET', '/api/workflows/tasks', undefined, { assertion })).status).toBe(200);
    await refused({ 'x-salesforce-assertion': assertion }, 'replayed');
    const other = createApp({ ...h.deps });
    const res = await start({ 'x-salesforce-assertion': assertion }, other);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toContain('rejected (replayed)');
  });

  it('lets exactly one of two instances accept one assertion sent to both at once', async () => {
    const [a, b] = [createApp({ ...h.deps }), createApp({ ...h.deps })];
    for (let round = 0; round < 10; round++) {
      const assertion = await claims();
      const headers = { authorization: `Bearer ${API_KEY}`, 'x-salesforce-assertion': assertion };
      const statuses = await Promise.all([a, b].map(async (app) => (await app.request('/api/workflows/tasks', { headers })).status));
      expect(statuses.sort()).toEqual([200, 401]);
    }
  });

  it('prunes the jtis whose assertions can no longer be accepted', async () => {
    await claims().then((assertion) => h.api('GET', '/api/workflows/tasks', undefined, { assertion }));
    const n = (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM assertion_jtis`)[0]!.n;
    expect(await pruneAssertionJtis(h.sql, h.deps.now())).toBe(0);
    // Every recorded assertion was valid for at most 300 s plus the 60 s leeway; the schedule prunes as this does.
    const pruning = serviceSchedules(h.deps.env).find((d) => d.name === 'assertion-jti-pruning')!;
    expect(await pruning.run({ ...h.deps, now: () => new Date(h.deps.now().getTime() + 361_000) })).toBe(n);
  });

  it('accepts any of several certificates (a rotation), loaded from PEM text', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'rap-cert-')), mkdtempSync(join(tmpdir(), 'rap-cert-'))];
    try {
      const [oldCert, newCert] = await Promise.all(dirs.map((d) => storedDemoAssertionKey(d, h.deps.now())));
      const keys = loadAssertionKeys(`${oldCert!.certificate}\n${newCert!.certificate}`);
      expect(keys).toHaveLength(2);
      const app = createApp({ ...h.deps, userIdentity: { mode: 'assertion', trust: { keys, audience: TEST_AUDIENCE, orgId: h.orgId } } });
      for (const { privateKey } of [oldCert!, newCert!]) {
        const assertion = await signUserAssertion(
          privateKey,
          freshClaims({ orgId: h.orgId, user: jordan(), audience: TEST_AUDIENCE, now: h.deps.now() }),
        );
        const res = await app.request('/api/workflows/tasks', {
          headers: { authorization: `Bearer ${API_KEY}`, 'x-salesforce-assertion': assertion },
        });
        expect(res.status).toBe(200);
      }
      expect(() => loadAssertionKeys('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----')).toThrow(/block 1/);
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(() => loadAssertionKeys(small)).toThrow(/2048 bits/);
      expect(() => loadAssertionKeys(join(dirs[0]!, 'missing.pem'))).toThrow(/neither PEM text nor a readable file/);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('takes the org from SF_ORG_ID in either length, and refuses one whose checksum is wrong', async () => {
    const conn = await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: h.org.url, accessToken: 'unused' });
    const cert = testAssertionKeys().publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const configured = (orgId: string) =>
      loadConfig({ SALESFORCE_ASSERTION_CERT: cert, SERVICE_AUDIENCE: TEST_AUDIENCE, SF_ORG_ID: orgId, LOG_LEVEL: 'silent' });
    const silent = createLogger('silent');
    const { identity } = await userIdentityFor(configured(h.orgId.slice(0, 15)), conn, silent, h.deps.now());
    expect(identity).toMatchObject({ mode: 'assertion', trust: { orgId: h.orgId, audience: TEST_AUDIENCE } });
    const wrong = h.orgId.slice(0, 15) + (h.orgId.endsWith('AAA') ? 'AAB' : 'AAA');
    await expect(userIdentityFor(configured(wrong), conn, silent, h.deps.now())).rejects.toThrow(/SF_ORG_ID: has an invalid/);
  });

  it('SERVICE_TRUST_HEADER_ONLY=true trusts the header as sent, and warns at every start', async () => {
    const lines: string[] = [];
    const config = loadConfig({ SERVICE_TRUST_HEADER_ONLY: 'true', LOG_LEVEL: 'silent' });
    const conn = await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: h.org.url, accessToken: 'unused' });
    const { identity, demoKey } = await userIdentityFor(
      config,
      conn,
      createLogger('warn', (l) => lines.push(l)),
      h.deps.now(),
    );
    expect(identity).toEqual({ mode: 'header-only' });
    expect(demoKey).toBeUndefined();
    expect(lines.join('\n')).toMatch(/"level":"warn".*SERVICE_TRUST_HEADER_ONLY=true.*development only/i);
    const app = createApp({ ...h.deps, userIdentity: identity });
    const ok = await app.request('/api/workflows/tasks', {
      headers: { authorization: `Bearer ${API_KEY}`, 'x-salesforce-user-id': jordan() },
    });
    expect(ok.status).toBe(200);
    const missing = await app.request('/api/workflows/tasks', { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(missing.status).toBe(400);
    // The embedded mode's stand-in for Apex forwards unsigned then, so the local preview keeps working.
    const preview = createApp({ ...h.deps, userIdentity: identity }, { previewApex: {} });
    const forwarded = await preview.request('/preview-apex/api/workflows/tasks', {
      headers: { authorization: `Bearer ${API_KEY}`, 'x-salesforce-user-id': jordan() },
    });
    expect(forwarded.status).toBe(200);
  });
});
