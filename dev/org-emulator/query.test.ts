// Local Salesforce org emulator (not Salesforce): SOQL through the real jsforce client.

import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, names, TODAY } from './test-support.ts';

const { opportunities: opp, contacts } = DEMO_IDS;

let org: OrgEmulator;
let conn: Connection;

beforeAll(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterAll(() => org.close());

const query = async (soql: string) => (await conn.query<Record<string, any>>(soql)).records;

describe('the renewal context query', () => {
  const contextQuery = `SELECT Id, Name, Amount, CloseDate, Current_ARR__c, Primary_Contact__c, Owner.Name, Owner.Email,
    Account.Name, Account.Industry,
    (SELECT Id, ContactId, Role, IsPrimary, Contact.Name, Contact.Title, Contact.Email, Contact.AccountId FROM OpportunityContactRoles),
    (SELECT Id, Subject, Description, ActivityDate, Status, WhoId, LastModifiedDate FROM Tasks ORDER BY ActivityDate DESC LIMIT 20),
    (SELECT Id, Subject, Description, ActivityDate, StartDateTime FROM Events ORDER BY StartDateTime DESC LIMIT 20)
    FROM Opportunity WHERE Id = '${opp.acme}'`;

  it('returns parents as nested records and children as sub-query results', async () => {
    const result = await conn.query<Record<string, any>>(contextQuery);
    expect(result).toMatchObject({ totalSize: 1, done: true });
    const [acme] = result.records;
    expect(acme).toMatchObject({
      attributes: { type: 'Opportunity', url: `/services/data/v62.0/sobjects/Opportunity/${opp.acme}` },
      Name: 'Acme Logistics — FY27 Renewal',
      Amount: 265000,
      Current_ARR__c: 248000,
      CloseDate: '2027-05-09', // today + 165 days
      Primary_Contact__c: contacts.sarahChen,
      Owner: { attributes: { type: 'User' }, Name: 'Jordan Lee', Email: 'jordan.lee@example.com' },
      Account: { attributes: { type: 'Account' }, Name: 'Acme Logistics', Industry: 'Transportation' },
    });
    expect(Object.keys(acme!.Owner)).toEqual(['attributes', 'Name', 'Email']);
    const roles = acme!.OpportunityContactRoles;
    expect(roles).toMatchObject({ totalSize: 3, done: true });
    expect(roles.records.map((r: any) => [r.Contact.Name, r.Role, r.IsPrimary])).toEqual([
      ['Sarah Chen', 'Business User', false],
      ['Eric Estrada', 'Decision Maker', true],
      ['Priya Patel', 'Technical Buyer', false],
    ]);
    expect(acme!.Tasks.records.map((t: any) => t.ActivityDate)).toEqual(['2026-11-20', '2026-11-13', '2026-11-05']);
    expect(acme!.Tasks.records[0].LastModifiedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
    expect(acme!.Events).toMatchObject({
      totalSize: 1,
      records: [{ Subject: 'Quarterly Business Review — Acme Logistics', ActivityDate: '2026-10-16' }],
    });
  });

  it('answers null for an empty child sub-query and for an empty lookup', async () => {
    const [initech] = await query(
      `SELECT Id, Previous_Contact__r.Name, (SELECT Id FROM Events) FROM Opportunity WHERE Id = '${opp.initech}'`,
    );
    expect(initech!.Events).toBeNull();
    expect(initech!.Previous_Contact__r).toBeNull();
  });

  it('applies WHERE, ORDER BY and LIMIT inside a sub-query', async () => {
    const [acme] = await query(
      `SELECT (SELECT Subject FROM Tasks WHERE IsClosed = true ORDER BY ActivityDate ASC LIMIT 1) FROM Opportunity WHERE Id = '${opp.acme}'`,
    );
    expect(acme!.Tasks).toMatchObject({ totalSize: 1, records: [{ Subject: 'Note: FY27 budget planning' }] });
  });

  it('types polymorphic parents as Name, as Salesforce does', async () => {
    const [task] = await query(`SELECT What.Name, Who.Name FROM Task WHERE Subject = 'Send usage report to Eric Estrada'`);
    expect(task!.What).toMatchObject({ attributes: { type: 'Name' }, Name: 'Acme Logistics — FY27 Renewal' });
    expect(task!.Who).toMatchObject({ attributes: { type: 'Name' }, Name: 'Eric Estrada' });
  });
});

describe('WHERE', () => {
  const opportunityNames = async (where: string) => names(await query(`SELECT Name FROM Opportunity WHERE ${where} ORDER BY Name`));

  it('compares numbers, strings (case-insensitively), nulls and lists', async () => {
    expect(await opportunityNames('Amount >= 100000 AND Amount < 200000')).toEqual(['Northwind Health — FY27 Renewal']);
    expect(await opportunityNames("StageName = 'discovery'")).toEqual(['Acme Logistics — FY27 Renewal']);
    expect(await opportunityNames("StageName IN ('Discovery', 'Qualification')")).toEqual([
      'Acme Logistics — FY27 Renewal',
      'Initech Software — FY27 Renewal',
    ]);
    expect(await opportunityNames("StageName NOT IN ('Discovery', 'Qualification') AND Amount != 86000")).toEqual([
      'Northwind Health — FY27 Renewal',
    ]);
    expect(await opportunityNames('Previous_Contact__c = null AND Primary_Contact__c != null')).toHaveLength(4);
    expect(await opportunityNames("Name LIKE 'glob%'")).toEqual(['Globex Manufacturing — FY27 Renewal']);
  });

  it('honours parentheses, OR and NOT', async () => {
    expect(await opportunityNames("(StageName = 'Discovery' OR StageName = 'Qualification') AND Amount > 60000")).toEqual([
      'Acme Logistics — FY27 Renewal',
    ]);
    expect(await opportunityNames("StageName = 'Discovery' OR (StageName = 'Qualification' AND Amount > 60000)")).toEqual([
      'Acme Logistics — FY27 Renewal',
    ]);
    expect(await opportunityNames("NOT (Amount > 60000) OR Name LIKE 'Acme%'")).toEqual([
      'Acme Logistics — FY27 Renewal',
      'Initech Software — FY27 Renewal',
    ]);
  });

  it('filters on parent fields and with semi-joins', async () => {
    expect(await opportunityNames("Account.Industry = 'Healthcare' AND Owner.IsActive = true")).toEqual([
      'Northwind Health — FY27 Renewal',
    ]);
    const roleContacts = await query(
      `SELECT Name FROM Contact WHERE Id IN (SELECT ContactId FROM OpportunityContactRole WHERE OpportunityId = '${opp.acme}') ORDER BY Name`,
    );
    expect(names(roleContacts)).toEqual(['Eric Estrada', 'Priya Patel', 'Sarah Chen']); // no Dana Whitfield (CFO)
  });

  it('resolves date literals, relative literals and datetimes against the org today', async () => {
    expect(await opportunityNames('CloseDate < 2027-01-01')).toEqual(['Globex Manufacturing — FY27 Renewal']);
    expect(await opportunityNames('CloseDate = NEXT_N_DAYS:75')).toEqual([
      'Globex Manufacturing — FY27 Renewal',
      'Northwind Health — FY27 Renewal',
    ]);
    expect(await opportunityNames('Renewal_Date__c > NEXT_N_DAYS:180')).toEqual(['Initech Software — FY27 Renewal']);
    const recent = await query('SELECT Subject FROM Task WHERE ActivityDate = LAST_N_DAYS:14 ORDER BY ActivityDate');
    expect(recent.map((t) => t.Subject)).toEqual([
      'Call with Sarah Chen — renewal check-in',
      'Sync with Marcus Bell',
      'Send usage report to Eric Estrada',
      'Pricing call with Linda Okafor',
    ]);
    const overdue = await query('SELECT Subject FROM Task WHERE ActivityDate < TODAY AND IsClosed = false');
    expect(overdue.map((t) => t.Subject)).toEqual(['Send usage report to Eric Estrada']);
    expect((await query('SELECT Id FROM Task WHERE CreatedDate > 2026-11-01T00:00:00Z')).length).toBe(6);
    expect((await query('SELECT Id FROM Task WHERE CreatedDate = LAST_N_DAYS:7')).length).toBe(3);
    expect((await query('SELECT Id FROM Event WHERE StartDateTime = NEXT_N_DAYS:7')).length).toBe(1);
  });
});

describe('ORDER BY, LIMIT, OFFSET and COUNT()', () => {
  it('sorts by several keys and pages with LIMIT and OFFSET', async () => {
    const rows = await query('SELECT Name FROM Opportunity ORDER BY CloseDate ASC LIMIT 2 OFFSET 1');
    expect(names(rows)).toEqual(['Northwind Health — FY27 Renewal', 'Acme Logistics — FY27 Renewal']);
    const byOwnerThenAmount = await query('SELECT Name FROM Opportunity ORDER BY Owner.Name, Amount DESC');
    expect(names(byOwnerThenAmount)[0]).toBe('Acme Logistics — FY27 Renewal');
  });

  it('puts nulls first by default, descending as well as ascending, and last with NULLS LAST', async () => {
    const subjects = async (order: string) => (await query(`SELECT Subject FROM Event ORDER BY Type ${order}`)).map((r) => r.Subject);
    await conn.sobject('Event').create({ Subject: 'No type', StartDateTime: '2026-12-01T10:00:00Z', EndDateTime: '2026-12-01T11:00:00Z' });
    expect((await subjects('ASC'))[0]).toBe('No type');
    expect((await subjects('DESC'))[0]).toBe('No type');
    expect((await subjects('DESC NULLS LAST')).at(-1)).toBe('No type');
    expect((await subjects('ASC NULLS LAST')).at(-1)).toBe('No type');
  });

  it('counts with COUNT()', async () => {
    const result = await conn.query('SELECT COUNT() FROM Task WHERE IsClosed = false');
    expect(result).toMatchObject({ totalSize: 2, done: true, records: [] });
    expect(await conn.sobject('Opportunity').count({ StageName: 'Discovery' })).toBe(1);
  });
});

describe('query errors', () => {
  it.each([
    ['SELECT Nope__c FROM Opportunity', 'INVALID_FIELD', /No such column 'Nope__c' on entity 'Opportunity'/],
    ['SELECT Id FROM Renewal__c', 'INVALID_TYPE', /sObject type 'Renewal__c' is not supported/],
    ['SELECT Id, (SELECT Id FROM Notes) FROM Opportunity', 'INVALID_TYPE', /Didn't understand relationship 'Notes'/],
    ['SELECT Boss.Name FROM Opportunity', 'INVALID_FIELD', /Didn't understand relationship 'Boss'/],
    ['SELECT Id FROM', 'MALFORMED_QUERY', /unexpected token/],
    [
      "SELECT Id FROM Opportunity WHERE CloseDate > '2026-01-01'",
      'INVALID_FIELD',
      /must be of type date and should not be enclosed in quotes/,
    ],
    ['SELECT Id FROM Opportunity WHERE Name = 5', 'INVALID_FIELD', /must be of type string and should be enclosed in quotes/],
    ["SELECT Id FROM Opportunity WHERE Id = 'not-an-id'", 'INVALID_QUERY_FILTER_OPERATOR', /invalid ID field: not-an-id/],
  ])('%s fails with %s', async (soql, errorCode, message) => {
    const err = await failureOf(conn.query(soql));
    expect(err.name).toBe(errorCode);
    expect(err.message).toMatch(message);
  });
});

describe('queryAll and paging', () => {
  it('shows deleted records only to queryAll', async () => {
    const created = await conn.sobject('Task').create({ Subject: 'Short-lived', WhatId: opp.globex });
    await conn.sobject('Task').destroy(created.id!);
    const soql = `SELECT Id, IsDeleted FROM Task WHERE Id = '${created.id}'`;
    expect((await conn.query(soql)).totalSize).toBe(0);
    expect((await conn.query(soql, { scanAll: true })).records).toMatchObject([{ Id: created.id, IsDeleted: true }]);
  });

  it('pages large results through nextRecordsUrl and jsforce follows them', async () => {
    const tasks = Array.from({ length: 250 }, (_, i) => ({ Subject: `Bulk ${String(i).padStart(3, '0')}`, WhatId: opp.initech }));
    await conn.sobject('Task').create(tasks.slice(0, 200));
    await conn.sobject('Task').create(tasks.slice(200));
    org.resetRequests();
    const soql = "SELECT Subject FROM Task WHERE Subject LIKE 'Bulk%' ORDER BY Subject";
    const first = await conn.query(soql, { headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    expect(first).toMatchObject({ totalSize: 250, done: false });
    expect(first.records).toHaveLength(200);
    const all = await conn.query(soql, { autoFetch: true, maxFetch: 1000, headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    expect(all.records).toHaveLength(250);
    expect(all.records.at(-1)).toMatchObject({ Subject: 'Bulk 249' });
    expect(org.requests.some((r) => /\/query\/01g[\w-]+-200$/.test(r.path))).toBe(true);
  });
});
