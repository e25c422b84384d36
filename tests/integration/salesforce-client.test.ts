import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { connectSalesforce, jwtBearerAssertion } from '../../service/src/salesforce/connection.ts';
import { accountTeamSoql, contextSoql, loadOpportunityContext } from '../../service/src/salesforce/context.ts';
import { operationsOf } from '../../testkit/salesforce-calls.ts';
import { SalesforceGateway } from '../../service/src/salesforce/gateway.ts';
import { type OrgEmulator } from '../../dev/org-emulator/index.ts';
import { startDemoOrg } from '../../dev/demo-seed/index.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

describe('Salesforce client against the local org emulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('loads the whole CRM context in one API call', async () => {
    h.org.resetRequests();
    const ctx = await h.deps.salesforce.loadContext(h.discoveryId);
    expect(h.org.requests).toHaveLength(1);
    // The opportunity's query and the account team's, in one composite request.
    expect(h.org.requests[0]!.path).toMatch(/\/services\/data\/v62\.0\/composite$/);
    expect(operationsOf(h.org.requests).map((o) => o.soql)).toEqual([contextSoql(h.discoveryId), accountTeamSoql([h.discoveryId])]);
    expect(ctx!.opportunity).toMatchObject({ id: h.discoveryId, currentArr: 248000, amount: 265000 });
    expect(ctx!.account.name).toBe('Acme Logistics');
    expect(ctx!.owner.name).toBe('Jordan Lee');
    expect(ctx!.contactRoles.map((r) => r.contact.name).sort()).toEqual(['Eric Estrada', 'Priya Patel', 'Sarah Chen']);
    expect(ctx!.activities.some((a) => /15% budget cut/.test(a.description ?? ''))).toBe(true);
    expect(ctx!.activities.some((a) => a.kind === 'Event')).toBe(true);
  });

  it('uses a configured renewal date field instead of CloseDate', async () => {
    h.org.updateRecord('Opportunity', h.discoveryId, { Renewal_Date__c: '2027-01-15' });
    const ctx = await loadOpportunityContext(h.deps.salesforce.conn, h.discoveryId, { renewalDateField: 'Renewal_Date__c' });
    expect(ctx!.opportunity.renewalDate).toBe('2027-01-15');
    expect(contextSoql(h.discoveryId, 'Renewal_Date__c')).toContain(', Renewal_Date__c,');
  });

  it('selects CloseDate once when it is the configured renewal date field (SOQL refuses a field selected twice)', async () => {
    for (const field of ['CloseDate', 'closedate']) {
      const ctx = await loadOpportunityContext(h.deps.salesforce.conn, h.discoveryId, { renewalDateField: field });
      expect(ctx!.opportunity.renewalDate).toBe(ctx!.opportunity.closeDate);
      expect(contextSoql(h.discoveryId, field).match(/closedate/gi)).toHaveLength(1);
    }
  });

  it('returns undefined for an opportunity that does not exist', async () => {
    expect(await h.deps.salesforce.loadContext('006000000000000AAA')).toBeUndefined();
  });

  it('checks edit access for up to 200 records per call, and caches it', async () => {
    const gateway = new SalesforceGateway(h.deps.salesforce.conn, { accessCacheMs: 60_000 });
    const ids = Object.values(h.opportunities);
    h.org.resetRequests();
    const jordan = await gateway.editable(h.users['Jordan Lee']!, ids);
    expect([...jordan].sort()).toEqual([...ids].sort());
    expect(await gateway.editable(h.users['Morgan Diaz']!, ids)).toEqual(new Set());
    expect(h.org.requests).toHaveLength(2);
    await gateway.canEdit(h.users['Jordan Lee']!, ids[0]!);
    expect(h.org.requests).toHaveLength(2);
  });

  it('refuses to build access SOQL from anything but Salesforce ids', async () => {
    await expect(h.deps.salesforce.access.editable("005' OR Id != '", [h.discoveryId])).rejects.toThrow(/needs Salesforce ids/);
  });
});

describe('OAuth 2.0 JWT bearer flow', () => {
  let org: OrgEmulator;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  beforeAll(async () => {
    org = await startDemoOrg({
      jwt: {
        clientId: 'connected-app-id',
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        tokenTtlSeconds: 3600,
      },
    });
  });
  afterAll(async () => org?.close());

  const login = (key = privateKey) => ({
    mode: 'jwt' as const,
    loginUrl: org.url,
    clientId: 'connected-app-id',
    username: 'jordan.lee@acme-renewals.example',
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    apiVersion: '62.0',
  });

  it('mints a token, and mints a new one when Salesforce says the session expired', async () => {
    const username = String(org.records('User').find((u) => u.Name === 'Jordan Lee')!.Username);
    const conn = await connectSalesforce({ ...login(), username });
    const first = conn.accessToken;
    expect((await conn.query('SELECT Id FROM Opportunity')).totalSize).toBe(4);
    org.expireTokens();
    expect((await conn.query('SELECT Id FROM Opportunity')).totalSize).toBe(4);
    expect(conn.accessToken).not.toBe(first);
  });

  it('signs an RS256 assertion naming the connected app, the user and the authorization server, valid three minutes', async () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    const opts = { ...login(), audience: 'https://login.salesforce.com', now };
    const [one, two] = [await jwtBearerAssertion(opts), await jwtBearerAssertion(opts)];
    expect(decodeProtectedHeader(one)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const { payload } = await jwtVerify(one, publicKey, { algorithms: ['RS256'], currentDate: new Date(now) });
    expect(payload).toEqual({
      iss: 'connected-app-id',
      sub: 'jordan.lee@acme-renewals.example',
      aud: 'https://login.salesforce.com',
      exp: now / 1000 + 180,
      jti: expect.any(String),
    });
    expect((await jwtVerify(two, publicKey, { currentDate: new Date(now) })).payload.jti).not.toBe(payload.jti);
  });

  it('mints a token with a PKCS#1 private key (BEGIN RSA PRIVATE KEY) as well as PKCS#8', async () => {
    const username = String(org.records('User').find((u) => u.Name === 'Jordan Lee')!.Username);
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const conn = await connectSalesforce({ ...login(), username, privateKey: pkcs1 });
    expect((await conn.query('SELECT Id FROM Opportunity')).totalSize).toBe(4);
  });

  it('fails clearly with a key the connected app does not trust', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const username = String(org.records('User').find((u) => u.Name === 'Jordan Lee')!.Username);
    await expect(connectSalesforce({ ...login(other), username })).rejects.toThrow(/invalid_grant|signature/i);
  });
});
