// Local Salesforce org emulator (not Salesforce): REST API rules a real org enforces — versions, sObject upserts,
// identity. Each test is one row of the conformance table in README.md (the id in its name).

import { readFileSync } from 'node:fs';
import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, TODAY } from './test-support.ts';

const TOKEN = 'conformance-token';
let org: OrgEmulator;
let conn: Connection;
beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY, accessToken: TOKEN });
  conn = connect(org, TOKEN);
});
afterEach(() => org.close());

const call = (method: string, path: string, body?: unknown, token = TOKEN) =>
  fetch(`${org.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('API version conformance', () => {
  it('V1: answers 410 to a retired version (30.0 and older)', async () => {
    for (const version of ['30.0', '21.0', '7.0']) {
      const res = await call('GET', `/services/data/v${version}/query?q=SELECT+Id+FROM+Account`);
      expect(res.status, version).toBe(410);
    }
    expect((await call('GET', '/services/data/v31.0/query?q=SELECT+Id+FROM+Account')).status).toBe(200);
  });

  it("V2: answers 404 to a version newer than the org's release", async () => {
    const res = await call('GET', '/services/data/v68.0/query?q=SELECT+Id+FROM+Account');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    // Summer '26 (67.0) is the newest release in Salesforce's documentation.
    expect((await call('GET', '/services/data/v67.0/query?q=SELECT+Id+FROM+Account')).status).toBe(200);
  });

  it("V3: lists every supported version, up to what the package's sourceApiVersion needs", async () => {
    const versions = (await (await call('GET', '/services/data')).json()) as { version: string; label: string; url: string }[];
    const { sourceApiVersion } = JSON.parse(readFileSync(new URL('../../sfdx-project.json', import.meta.url), 'utf8')) as {
      sourceApiVersion: string;
    };
    expect(versions.map((v) => v.version)).toContain(sourceApiVersion);
    expect(versions[0]).toEqual({ version: '31.0', label: "Summer '14", url: '/services/data/v31.0' });
    expect(versions.at(-1)).toEqual({ version: '67.0', label: "Summer '26", url: '/services/data/v67.0' });
    expect(versions.find((v) => v.version === '62.0')!.label).toBe("Winter '25");
  });

  it('V4: upsert with sObject Collections needs API version 46.0 or later', async () => {
    const body = { allOrNone: false, records: [{ attributes: { type: 'Task' }, Action_Plan_Task_Id__c: 'plan-1:task-1', Subject: 'x' }] };
    expect((await call('PATCH', '/services/data/v45.0/composite/sobjects/Task/Action_Plan_Task_Id__c', body)).status).toBe(404);
    expect((await call('PATCH', '/services/data/v46.0/composite/sobjects/Task/Action_Plan_Task_Id__c', body)).status).toBe(200);
  });
});

describe('upsert conformance', () => {
  const collection = (records: unknown[]) =>
    call('PATCH', '/services/data/v62.0/composite/sobjects/Task/Action_Plan_Task_Id__c', { allOrNone: false, records });

  it('U1: every collection record needs attributes.type, equal to the object in the URL', async () => {
    const missing = await collection([{ Action_Plan_Task_Id__c: 'plan-1:task-1', Subject: 'x' }]);
    expect(missing.status).toBe(400);
    const other = await collection([{ attributes: { type: 'Event' }, Action_Plan_Task_Id__c: 'plan-1:task-1', Subject: 'x' }]);
    expect(other.status).toBe(400);
    expect(await other.json()).toEqual([expect.objectContaining({ errorCode: 'INVALID_TYPE' })]);
    expect(org.records('Task').filter((t) => t.Action_Plan_Task_Id__c)).toHaveLength(0);
  });

  it('U2: a single-record upsert refuses the external id or Id in the body', async () => {
    const url = '/services/data/v62.0/sobjects/Task/Action_Plan_Task_Id__c/plan-1:task-1';
    for (const body of [
      { Action_Plan_Task_Id__c: 'plan-1:task-1', Subject: 'x' },
      { Id: '00T5e0000000001EAA', Subject: 'x' },
    ]) {
      const res = await call('PATCH', url, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD' })]);
    }
    expect((await call('PATCH', url, { Subject: 'x' })).status).toBe(201);
  });

  it('U3: a single-record upsert whose key matches several records answers 300 with their URLs and writes nothing', async () => {
    const { acme, globex } = DEMO_IDS.accounts;
    await conn.sobject('Account').update([
      { Id: acme, Billing_System_Id__c: 'B-1' },
      { Id: globex, Billing_System_Id__c: 'B-1' },
    ]);
    const res = await call('PATCH', '/services/data/v62.0/sobjects/Account/Billing_System_Id__c/B-1', { Industry: 'Other' });
    expect(res.status).toBe(300);
    expect(((await res.json()) as string[]).sort()).toEqual(
      [acme, globex].map((id) => `/services/data/v62.0/sobjects/Account/${id}`).sort(),
    );
    expect(org.records('Account').filter((a) => a.Industry === 'Other')).toHaveLength(0);
  });
});

describe('identity conformance', () => {
  it("I1: /services/oauth2/userinfo describes the session's user; a bad token gets 403", async () => {
    const res = await call('GET', '/services/oauth2/userinfo');
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      user_id: DEMO_IDS.users.alexAdmin,
      organization_id: '00D5e0000000001EAA',
      preferred_username: 'alex.admin@rap-demo.example',
      sub: `${org.url}/id/00D5e0000000001EAA/${DEMO_IDS.users.alexAdmin}`,
      urls: expect.objectContaining({ rest: `${org.url}/services/data/v{version}/` }),
    });
    expect((await call('GET', '/services/oauth2/userinfo', undefined, 'wrong')).status).toBe(403);
  });

  it('I2: the identity URL a session names answers with the user and the org', async () => {
    const info = (await (await call('GET', '/services/oauth2/userinfo')).json()) as { sub: string };
    const res = await fetch(info.sub, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: info.sub,
      user_id: DEMO_IDS.users.alexAdmin,
      username: 'alex.admin@rap-demo.example',
      asserted_user: true,
    });
  });

  it('I3: answers the Organization record, and paths with a doubled slash, as the Salesforce CLI needs', async () => {
    const { records } = await conn.query<{ Id: string; IsSandbox: boolean }>(
      'SELECT Id, Name, IsSandbox, OrganizationType FROM Organization',
    );
    expect(records).toEqual([expect.objectContaining({ Id: '00D5e0000000001EAA', IsSandbox: false })]);
    expect((await call('GET', '//services/data')).status).toBe(200);
  });
});

describe('API limits conformance', () => {
  it('L1: /limits reports DailyApiRequests { Max, Remaining } with the count Sforce-Limit-Info carries', async () => {
    org.setApiUsage(1200);
    const res = await call('GET', '/services/data/v62.0/limits');
    expect(res.status).toBe(200);
    // This call is the 1201st of the day: the header and the resource agree.
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=1201/15000');
    expect(await res.json()).toEqual({ DailyApiRequests: { Max: 15000, Remaining: 13799 } });
    org.setApiUsage(20000);
    expect((await (await call('GET', '/services/data/v62.0/limits')).json()).DailyApiRequests.Remaining).toBe(0);
  });
});
