// Local Salesforce org emulator (not Salesforce): org shapes (shape.ts, shapes/*.json) — each test is one row of the
// conformance table in README.md (the id in its name), through the real jsforce client.

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { loadShape, type OrgEmulator, type OrgShape } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, statusCodes, TODAY } from './test-support.ts';

const SHAPES = fileURLToPath(new URL('./shapes/', import.meta.url));
const shape = (name: string) => loadShape(`${SHAPES}${name}.json`);
const ACME = DEMO_IDS.opportunities.acme;

let org: OrgEmulator | undefined;
let conn: Connection;
async function start(s?: OrgShape) {
  org = await startDemoOrg({ today: TODAY, shape: s });
  conn = connect(org);
}
afterEach(async () => {
  await org?.close();
  org = undefined;
});

describe('org shapes', () => {
  it('ships four shapes that parse: demo, enterprise without teams, professional, german', () => {
    const files = readdirSync(SHAPES).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['demo.json', 'enterprise-no-teams.json', 'german.json', 'professional.json']);
    for (const file of files) expect(loadShape(`${SHAPES}${file}`).name).toBe(file.replace(/\.json$/, ''));
  });

  it('F1: an object whose feature is off does not exist: INVALID_TYPE in FROM, in a child sub-query, and a 404 resource', async () => {
    await start(shape('enterprise-no-teams'));
    for (const type of ['AccountTeamMember', 'OpportunityTeamMember']) {
      const err = await failureOf(conn.query(`SELECT Id FROM ${type}`));
      expect(err.name, type).toBe('INVALID_TYPE');
      expect(
        (await fetch(`${org!.url}/services/data/v62.0/sobjects/${type}/describe`, { headers: { authorization: 'Bearer t' } })).status,
      ).toBe(404);
    }
    const sub = await failureOf(conn.query('SELECT Id, (SELECT UserId FROM OpportunityTeamMembers) FROM Opportunity'));
    expect(sub.name).toBe('INVALID_TYPE');
    expect(sub.message).toMatch(/Didn't understand relationship 'OpportunityTeamMembers'/);
    const global = (await conn.describeGlobal()).sobjects.map((o) => o.name);
    expect(global).not.toContain('AccountTeamMember');
    expect(global).toContain('EmailMessage');
    // The demo shape has every feature on: the same queries answer.
    await org!.close();
    await start(shape('demo'));
    expect((await conn.query('SELECT Id FROM AccountTeamMember')).totalSize).toBeGreaterThan(0);
    expect((await conn.query('SELECT Id, (SELECT UserId FROM OpportunityTeamMembers) FROM Opportunity')).totalSize).toBe(4);
  });

  it('F2: without custom notifications there is no CustomNotificationType, and the action finds none', async () => {
    await start(shape('professional'));
    expect((await failureOf(conn.query('SELECT Id FROM CustomNotificationType'))).name).toBe('INVALID_TYPE');
    const err = await failureOf(
      conn.requestPost('/actions/standard/customNotificationAction', {
        inputs: [
          {
            customNotifTypeId: DEMO_IDS.notificationTypes.renewalActionPlanAlert,
            recipientIds: [DEMO_IDS.users.jordanLee],
            title: 't',
            body: 'b',
            targetId: ACME,
          },
        ],
      }),
    );
    expect(JSON.stringify(err)).toMatch(/customNotifTypeId/);
    const [organization] = (await conn.query<{ OrganizationType: string }>('SELECT OrganizationType FROM Organization')).records;
    expect(organization!.OrganizationType).toBe('Professional Edition');
  });

  it("F3: a restricted picklist takes only the org's values (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST); describe lists them, default first", async () => {
    await start(shape('enterprise-no-teams'));
    const refused = (await conn
      .sobject('Task')
      .create([{ Subject: 'x', WhatId: ACME, Status: 'Not Started' }], { allOrNone: false })) as unknown as {
      success: boolean;
      errors: unknown[];
    }[];
    expect(statusCodes(refused)).toEqual(['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']);
    const created = await conn.sobject('Task').create({ Subject: 'defaulted', WhatId: ACME });
    const task = await conn.sobject('Task').retrieve(created.id!);
    expect(task).toMatchObject({ Status: 'Open', IsClosed: false });
    await conn.sobject('Task').update({ Id: created.id!, Status: 'Done' });
    expect((await conn.sobject('Task').retrieve(created.id!)).IsClosed).toBe(true);
    const status = (await conn.sobject('Task').describe()).fields.find((f) => f.name === 'Status')!;
    expect(status.restrictedPicklist).toBe(true);
    expect(status.picklistValues!.map((v) => v.value)).toEqual(['Open', 'In Progress', 'Waiting on Customer', 'Done']);
    expect(status.picklistValues!.filter((v) => v.defaultValue).map((v) => v.value)).toEqual(['Open']);
  });

  it('F4: a required field must be filled on create and update (REQUIRED_FIELD_MISSING)', async () => {
    await start(shape('german'));
    const create = await failureOf(
      conn.sobject('Opportunity').create({ Name: 'Neu', StageName: 'Discovery', CloseDate: '2027-01-31' }, { allOrNone: true }),
    );
    expect(create.errorCode ?? create.name).toBe('REQUIRED_FIELD_MISSING');
    const clear = await failureOf(conn.sobject('Opportunity').update({ Id: ACME, NextStep: null } as never));
    expect(clear.errorCode ?? clear.name).toBe('REQUIRED_FIELD_MISSING');
    expect((await conn.sobject('Opportunity').describe()).fields.find((f) => f.name === 'NextStep')!.nillable).toBe(false);
  });

  it('F5: a validation rule refuses the write with its message (FIELD_CUSTOM_VALIDATION_EXCEPTION), other writes pass', async () => {
    await start(shape('german'));
    const northwind = DEMO_IDS.opportunities.northwind;
    const err = await failureOf(conn.sobject('Opportunity').update({ Id: northwind, Amount: null } as never));
    expect(err.errorCode ?? err.name).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(err.message).toBe('In der Verhandlung braucht die Opportunity einen Betrag.');
    await conn.sobject('Opportunity').update({ Id: northwind, Amount: 130000 });
    const task = (await conn.sobject('Task').create([{ Subject: '', WhatId: ACME }], { allOrNone: false })) as unknown as {
      success: boolean;
      errors: unknown[];
    }[];
    expect(statusCodes(task)).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    const type = (await conn
      .sobject('Opportunity')
      .create([{ Name: 'x', StageName: 'Discovery', CloseDate: '2027-01-31', NextStep: 'n', Type: 'Renewal' }], {
        allOrNone: false,
      })) as unknown as { success: boolean; errors: unknown[] }[];
    expect(statusCodes(type)).toEqual(['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']);
  });

  it("F6: profile names and the org's language follow the shape", async () => {
    await start(shape('german'));
    const profiles = (await conn.query<{ Name: string }>('SELECT Name FROM Profile ORDER BY Name')).records.map((p) => p.Name);
    expect(profiles).toEqual(['Standardbenutzer', 'Systemadministrator']);
    expect((await conn.query("SELECT Id FROM Profile WHERE Name = 'Standard User'")).totalSize).toBe(0);
    const [organization] = (await conn.query<{ LanguageLocaleKey: string }>('SELECT LanguageLocaleKey FROM Organization')).records;
    expect(organization!.LanguageLocaleKey).toBe('de');
  });

  it('refuses a shape that is not one (unknown keys, a bad field reference)', () => {
    expect(() => loadShape(fileURLToPath(new URL('../demo-seed/demo-org.json', import.meta.url)))).toThrow(/Unrecognized key/);
  });
});
