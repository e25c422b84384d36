// Local Salesforce org emulator (not Salesforce): the custom fields of a package's source are fields of the org.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { salesforceId, startOrgEmulator, type OrgEmulator, type SeedData } from './index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const customField = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n${body}\n</CustomField>\n`;

const FIELDS: Record<string, string> = {
  'Opportunity/Churn_Risk__c': customField(`<fullName>Churn_Risk__c</fullName><label>Churn Risk</label><type>Picklist</type>
    <valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted>
      <value><fullName>Low</fullName><default>true</default><label>Low</label></value>
      <value><fullName>High</fullName><default>false</default><label>High</label></value>
    </valueSetDefinition></valueSet>`),
  'Opportunity/Sponsor__c': customField(`<fullName>Sponsor__c</fullName><label>Sponsor</label><type>Lookup</type>
    <referenceTo>Contact</referenceTo><relationshipName>Sponsored_Renewals</relationshipName><deleteConstraint>SetNull</deleteConstraint>`),
  'Activity/Call_Score__c': customField(
    `<fullName>Call_Score__c</fullName><label>Call Score</label><type>Number</type><precision>3</precision><scale>0</scale>`,
  ),
};

/** A package source folder of the test's own, with FIELDS and optional extra field files. */
function packageSource(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'org-emulator-package-'));
  for (const [path, xml] of Object.entries({ ...FIELDS, ...extra })) {
    const [object, field] = path.split('/') as [string, string];
    mkdirSync(join(root, 'objects', object, 'fields'), { recursive: true });
    writeFileSync(join(root, 'objects', object, 'fields', `${field}.field-meta.xml`), xml);
  }
  return root;
}

const IDS = {
  profile: salesforceId('00e', 1),
  admin: salesforceId('005', 1),
  account: salesforceId('001', 1),
  contact: salesforceId('003', 1),
  opportunity: salesforceId('006', 1),
};

/** A small org of this test's own: one administrator, one account with a contact and an opportunity. */
const SEED: SeedData = {
  Profile: [{ Id: IDS.profile, Name: 'System Administrator' }],
  User: [{ Id: IDS.admin, Username: 'admin@example.test', LastName: 'Admin', Email: 'admin@example.test', ProfileId: IDS.profile }],
  Account: [{ Id: IDS.account, Name: 'Fixture Ltd' }],
  Contact: [{ Id: IDS.contact, AccountId: IDS.account, FirstName: 'Ada', LastName: 'Sponsor' }],
  Opportunity: [
    { Id: IDS.opportunity, Name: 'Fixture renewal', AccountId: IDS.account, StageName: 'Prospecting', CloseDate: '2027-01-31' },
  ],
};

describe('custom fields from the package source', () => {
  const sources: string[] = [];
  let org: OrgEmulator;
  beforeAll(async () => {
    sources.push(packageSource());
    org = await startOrgEmulator({ seed: SEED, packageSource: sources[0], today: TODAY });
  });
  afterAll(async () => {
    await org?.close();
    for (const dir of sources) rmSync(dir, { recursive: true, force: true });
  });

  it('describes them, Activity fields on both Task and Event, a lookup with its relationships', async () => {
    const conn = connect(org);
    const opportunity = await conn.sobject('Opportunity').describe();
    const field = (name: string) => opportunity.fields.find((f) => f.name === name);
    expect(field('Churn_Risk__c')).toMatchObject({
      type: 'picklist',
      label: 'Churn Risk',
      custom: true,
      restrictedPicklist: true,
      picklistValues: [expect.objectContaining({ value: 'Low', defaultValue: true }), expect.objectContaining({ value: 'High' })],
    });
    expect(field('Sponsor__c')).toMatchObject({ type: 'reference', referenceTo: ['Contact'], relationshipName: 'Sponsor__r' });
    for (const type of ['Task', 'Event']) {
      const score = (await conn.sobject(type).describe()).fields.find((f) => f.name === 'Call_Score__c');
      expect(score, type).toMatchObject({ type: 'int', precision: 3, scale: 0 });
    }
    const contact = await conn.sobject('Contact').describe();
    expect(contact.childRelationships).toContainEqual(
      expect.objectContaining({ relationshipName: 'Sponsored_Renewals__r', childSObject: 'Opportunity', field: 'Sponsor__c' }),
    );
  });

  it('writes and queries them, through the lookup both ways', async () => {
    const conn = connect(org);
    await conn.sobject('Opportunity').update({ Id: IDS.opportunity, Churn_Risk__c: 'High', Sponsor__c: IDS.contact });
    const { records } = await conn.query(`SELECT Churn_Risk__c, Sponsor__r.LastName FROM Opportunity WHERE Churn_Risk__c = 'High'`);
    expect(records).toMatchObject([{ Churn_Risk__c: 'High', Sponsor__r: { LastName: 'Sponsor' } }]);
    const sponsors = await conn.query(`SELECT LastName, (SELECT Name FROM Sponsored_Renewals__r) FROM Contact`);
    expect(sponsors.records).toMatchObject([{ LastName: 'Sponsor', Sponsored_Renewals__r: { records: [{ Name: 'Fixture renewal' }] } }]);
    const task = await conn.sobject('Task').create({ Subject: 'Call', WhatId: IDS.opportunity, Call_Score__c: 7 });
    expect((await conn.query(`SELECT Call_Score__c FROM Task WHERE Id = '${(task as { id: string }).id}'`)).records).toMatchObject([
      { Call_Score__c: 7 },
    ]);
  });

  it('rejects what Salesforce rejects: a value outside a restricted picklist, a number beyond its precision', async () => {
    const conn = connect(org);
    // API StatusCode INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: "bad value for restricted picklist field".
    const picklist = await failureOf(conn.sobject('Opportunity').update({ Id: IDS.opportunity, Churn_Risk__c: 'Extreme' }));
    expect(picklist.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    // A Number(3, 0) holds 3 digits (CustomField precision and scale); API StatusCode NUMBER_OUTSIDE_VALID_RANGE.
    const number = await failureOf(conn.sobject('Task').create({ Subject: 'Call', Call_Score__c: 1000 }));
    expect(number.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });

  it('exist only in an org the package is deployed to', async () => {
    const bare = await startOrgEmulator({ seed: { ...SEED, Opportunity: [] }, today: TODAY });
    try {
      const failure = await failureOf(connect(bare).query('SELECT Churn_Risk__c FROM Opportunity'));
      expect(failure.errorCode).toBe('INVALID_FIELD');
    } finally {
      await bare.close();
    }
  });
});

describe('a package source the emulator cannot model', () => {
  const sources: string[] = [];
  afterEach(() => {
    for (const dir of sources.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const start = (extra: Record<string, string>) => {
    const source = packageSource(extra);
    sources.push(source);
    return startOrgEmulator({ seed: SEED, packageSource: source });
  };

  it('refuses a field type it does not model, naming the file, rather than leave the field out', async () => {
    const summary = customField('<fullName>Open_Tasks__c</fullName><type>Summary</type>');
    await expect(start({ 'Account/Open_Tasks__c': summary })).rejects.toThrow(
      /Account\/fields\/Open_Tasks__c\.field-meta\.xml: the org emulator does not model custom fields of type Summary/,
    );
  });

  it('refuses a field of an object it does not model, and XML that is not well-formed', async () => {
    await expect(start({ 'Invoice__c/Total__c': customField('<fullName>Total__c</fullName><type>Currency</type>') })).rejects.toThrow(
      /no sObject type Invoice__c/,
    );
    await expect(start({ 'Account/Broken__c': '<CustomField><fullName>Broken__c</fullName>' })).rejects.toThrow(/not well-formed XML/);
  });
});
