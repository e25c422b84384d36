// Local Salesforce org emulator (not Salesforce): SOQL rules a real org enforces. Each test is one row of the
// conformance table in README.md (the id in its name), which cites the documented rule.

import { generateKeyPairSync, sign } from 'node:crypto';
import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, loadDemoSeed, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const { users, opportunities: opp } = DEMO_IDS;
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

let org: OrgEmulator;
let conn: Connection;
beforeEach(async () => {
  org = await startDemoOrg({
    today: TODAY,
    seed: { ...loadDemoSeed(), shares: [{ userId: users.morganDiaz, recordId: opp.acme, access: 'Read' }] },
    jwt: { clientId: 'app', publicKeyPem: keys.publicKey },
  });
  conn = connect(org);
});
afterEach(() => org.close());

/** A session that runs as the given user, minted with the JWT bearer flow. */
async function sessionAs(username: string): Promise<Connection> {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { iss: 'app', sub: username, aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 180 };
  const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
  const session = new Connection({ loginUrl: org.url, version: '62.0' });
  await session.authorize({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), keys.privateKey).toString('base64url')}`,
  });
  return session;
}

describe('SOQL conformance', () => {
  it('S1: refuses a field selected twice, however it is spelled', async () => {
    for (const soql of [
      'SELECT Id, CloseDate, CloseDate FROM Opportunity',
      'SELECT Id, closedate, CLOSEDATE FROM Opportunity',
      'SELECT Owner.Name, owner.name FROM Opportunity',
      'SELECT Name, Opportunity.Name FROM Opportunity',
      'SELECT Id, (SELECT Subject, subject FROM Tasks) FROM Opportunity',
    ]) {
      const err = await failureOf(conn.query(soql));
      expect(err.name, soql).toBe('INVALID_FIELD');
      expect(err.message, soql).toMatch(/^duplicate field selected: /);
    }
  });

  it('S2: refuses a long text area in WHERE, and still selects it', async () => {
    const err = await failureOf(conn.query('SELECT Id FROM Opportunity WHERE Description != null'));
    expect(err.name).toBe('INVALID_FIELD');
    expect(err.message).toBe("field 'Description' can not be filtered in a query call");
    expect((await conn.query('SELECT Description FROM Opportunity')).totalSize).toBe(4);
    expect(await failureOf(conn.query("SELECT Id FROM Task WHERE Description LIKE '%budget%'"))).toMatchObject({ name: 'INVALID_FIELD' });
  });

  it('S3: refuses a long text area in ORDER BY, in sub-queries too, and describes it as neither filterable nor sortable', async () => {
    const err = await failureOf(conn.query('SELECT Id FROM Account ORDER BY Description'));
    expect(err.message).toBe("field 'Description' can not be sorted in a query call");
    expect(await failureOf(conn.query('SELECT Id, (SELECT Id FROM Tasks ORDER BY Description) FROM Opportunity'))).toMatchObject({
      name: 'INVALID_FIELD',
    });
    const describe = await conn.sobject('Task').describe();
    expect(describe.fields.find((f) => f.name === 'Description')).toMatchObject({ filterable: false, sortable: false });
    expect(describe.fields.find((f) => f.name === 'Subject')).toMatchObject({ filterable: true, sortable: true });
  });

  it('S4: sorts nulls first by default, DESC as well as ASC', async () => {
    org.updateRecord('Opportunity', opp.globex, { Renewal_Date__c: null });
    const { records } = await conn.query<{ Name: string; Renewal_Date__c: string | null }>(
      'SELECT Name, Renewal_Date__c FROM Opportunity ORDER BY Renewal_Date__c DESC',
    );
    const firstDated = records.findIndex((r) => r.Renewal_Date__c !== null);
    expect(records.slice(firstDated).every((r) => r.Renewal_Date__c !== null)).toBe(true);
    expect(records[0]).toMatchObject({ Renewal_Date__c: null, Name: 'Globex Manufacturing — FY27 Renewal' });
  });

  it('S5: UserRecordAccess must select RecordId', async () => {
    const err = await failureOf(
      conn.query(`SELECT HasEditAccess FROM UserRecordAccess WHERE UserId = '${users.jordanLee}' AND RecordId = '${opp.acme}'`),
    );
    expect(err.name).toBe('MALFORMED_QUERY');
    expect(err.message).toMatch(/RecordId field must be selected/);
  });

  it('S6: UserRecordAccess leaves out the records the running user cannot read', async () => {
    const asMorgan = await sessionAs('morgan.diaz@rap-demo.example');
    const soql = `SELECT RecordId, HasReadAccess FROM UserRecordAccess WHERE UserId = '${users.jordanLee}' AND RecordId IN ('${opp.acme}', '${opp.northwind}')`;
    expect((await asMorgan.query<{ RecordId: string }>(soql)).records.map((r) => r.RecordId)).toEqual([opp.acme]);
    expect((await conn.query<{ RecordId: string }>(soql)).records.map((r) => r.RecordId)).toEqual([opp.acme, opp.northwind]);
  });

  it('S8: refuses an OFFSET above 2,000 rows', async () => {
    const err = await failureOf(conn.query('SELECT Id FROM Opportunity ORDER BY Id LIMIT 10 OFFSET 2001'));
    expect(err.name).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    const { records } = await conn.query('SELECT Id FROM Opportunity ORDER BY Id LIMIT 10 OFFSET 2000');
    expect(records).toEqual([]);
  });

  it("S8: takes OFFSET in a child sub-query only with the parent's LIMIT 1, and never in a semi-join", async () => {
    const many = await failureOf(
      conn.query('SELECT Id, (SELECT Id FROM Tasks ORDER BY Id LIMIT 2 OFFSET 1) FROM Opportunity ORDER BY Id LIMIT 2'),
    );
    expect(many.name).toBe('MALFORMED_QUERY');
    const unlimited = await failureOf(conn.query('SELECT Id, (SELECT Id FROM Tasks ORDER BY Id OFFSET 1) FROM Opportunity'));
    expect(unlimited.name).toBe('MALFORMED_QUERY');
    const one = await conn.query<{ Tasks: { records: { Id: string }[] } | null }>(
      'SELECT Id, (SELECT Id FROM Tasks ORDER BY Id OFFSET 1) FROM Opportunity ORDER BY Id LIMIT 1',
    );
    expect(one.records).toHaveLength(1);
    const semiJoin = await failureOf(
      conn.query('SELECT Id FROM Opportunity WHERE AccountId IN (SELECT Id FROM Account ORDER BY Id LIMIT 10 OFFSET 1)'),
    );
    expect(semiJoin.name).toBe('MALFORMED_QUERY');
  });

  it('S9: decodes the documented escapes, keeps \\% and \\_ for LIKE, and refuses any other backslash', async () => {
    const { id } = (await conn.sobject('Account').create({ Name: String.raw`O'Brien \ 100%_off` })) as { id: string };
    const ids = async (where: string) =>
      (await conn.query<{ Id: string }>(`SELECT Id FROM Account WHERE ${where}`)).records.map((r) => r.Id);
    expect(await ids(String.raw`Name = 'O\'Brien \\ 100%_off'`)).toEqual([id]);
    expect(await ids(String.raw`Name = 'o\'brien \\ 100\u0025_off'`)).toEqual([id]);
    expect(await ids(String.raw`Name LIKE 'O\'Brien \\ 100\%\_off'`)).toEqual([id]);
    expect(await ids(String.raw`Name LIKE '%\%\_%'`)).toEqual([id]);
    // Escaped, % and _ are themselves: a name with "100x_off" would match the wildcards but not this.
    expect(await ids(String.raw`Name LIKE '%100\%\_Xoff'`)).toEqual([]);
    expect(await ids(String.raw`Name LIKE '%100%_off'`)).toEqual([id]);
    for (const where of [String.raw`Name = '100\%'`, String.raw`Name = 'a\_b'`, String.raw`Name = 'a\qb'`, String.raw`Name LIKE 'a\qb'`]) {
      expect((await failureOf(conn.query(`SELECT Id FROM Account WHERE ${where}`))).name, where).toBe('MALFORMED_QUERY');
    }
  });
});
