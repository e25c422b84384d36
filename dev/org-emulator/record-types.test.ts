// Local Salesforce org emulator (not Salesforce): record types (the shape's `recordTypes`) — row R1 of the conformance
// table in README.md, through the real jsforce client.

import { fileURLToPath } from 'node:url';
import type { Connection } from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { loadShape, type OrgEmulator, type OrgShape } from './index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const german = () => loadShape(fileURLToPath(new URL('./shapes/german.json', import.meta.url)));
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

describe('record types', () => {
  // Frequently Occurring Fields, RecordTypeId: the field is there "if your organization has record types defined for
  // this object"; without, the column does not exist.
  it('R1: an Opportunity without record types has no RecordTypeId (INVALID_FIELD); RecordType answers no rows', async () => {
    await start();
    const err = await failureOf(conn.query('SELECT Id, RecordTypeId FROM Opportunity'));
    expect(err.name).toBe('INVALID_FIELD');
    expect(err.message).toMatch(/No such column 'RecordTypeId' on entity 'Opportunity'/);
    const path = await failureOf(conn.query("SELECT Id FROM Opportunity WHERE RecordType.DeveloperName = 'Renewal'"));
    expect(path.name).toBe('INVALID_FIELD');
    expect((await conn.query('SELECT Id FROM RecordType')).totalSize).toBe(0);
    const write = await failureOf(conn.sobject('Opportunity').update({ Id: ACME, RecordTypeId: '012000000000001AAA' }));
    expect(write.name).toBe('INVALID_FIELD');
    expect((await conn.sobject('Opportunity').describe()).fields.map((f) => f.name)).not.toContain('RecordTypeId');
  });

  it('R1: with record types, RecordTypeId and the RecordType relationship select by DeveloperName; a wrong id is refused', async () => {
    await start(german());
    const types = (
      await conn.query<{ Id: string; Name: string; DeveloperName: string; SobjectType: string; IsActive: boolean }>(
        "SELECT Id, Name, DeveloperName, SobjectType, IsActive FROM RecordType WHERE SobjectType = 'Opportunity' ORDER BY DeveloperName",
      )
    ).records;
    expect(types.map(({ Name, DeveloperName, SobjectType, IsActive }) => ({ Name, DeveloperName, SobjectType, IsActive }))).toEqual([
      { Name: 'Neugeschäft', DeveloperName: 'New_Business', SobjectType: 'Opportunity', IsActive: true },
      { Name: 'Verlängerung', DeveloperName: 'Renewal', SobjectType: 'Opportunity', IsActive: true },
    ]);
    const renewal = types.find((t) => t.DeveloperName === 'Renewal')!.Id;
    expect(renewal.slice(0, 3)).toBe('012');
    // Records made before the record types existed have none (the master record type).
    const before = await conn.query("SELECT Id FROM Opportunity WHERE RecordType.DeveloperName = 'Renewal'");
    expect(before.totalSize).toBe(0);

    await conn.sobject('Opportunity').update({ Id: ACME, RecordTypeId: renewal });
    const after = await conn.query<{ Id: string; RecordType: { DeveloperName: string } }>(
      "SELECT Id, RecordTypeId, RecordType.DeveloperName FROM Opportunity WHERE RecordType.DeveloperName = 'Renewal'",
    );
    expect(after.records.map((r) => [r.Id, r.RecordType.DeveloperName])).toEqual([[ACME, 'Renewal']]);
    expect((await conn.sobject('Opportunity').describe()).fields.find((f) => f.name === 'RecordTypeId')).toMatchObject({
      type: 'reference',
      referenceTo: ['RecordType'],
      relationshipName: 'RecordType',
    });

    // Record types are the org's setup: read-only to the API.
    const create = await failureOf(conn.sobject('RecordType').create({ Name: 'X', DeveloperName: 'X', SobjectType: 'Opportunity' }));
    expect(JSON.stringify(create)).toMatch(/INVALID_FIELD_FOR_INSERT_UPDATE/);
  });

  it("R1: a record type of another object, or an inactive one, is refused (INVALID_CROSS_REFERENCE_KEY); Account's is its own", async () => {
    const shape = german();
    await start({
      ...shape,
      recordTypes: {
        Opportunity: [...shape.recordTypes!.Opportunity!, { developerName: 'Legacy', name: 'Alt', active: false }],
        Account: [{ developerName: 'Partner', name: 'Partner' }],
      },
    });
    const ids = Object.fromEntries(
      (await conn.query<{ Id: string; DeveloperName: string }>('SELECT Id, DeveloperName FROM RecordType')).records.map((r) => [
        r.DeveloperName,
        r.Id,
      ]),
    );
    for (const id of [ids.Partner, ids.Legacy]) {
      const refused = await failureOf(conn.sobject('Opportunity').update({ Id: ACME, RecordTypeId: id }));
      expect(refused.name).toBe('INVALID_CROSS_REFERENCE_KEY');
      expect(refused.message).toMatch(/Record Type ID: this ID value isn't valid for the user/);
    }
    await conn.sobject('Account').update({ Id: DEMO_IDS.accounts.acme, RecordTypeId: ids.Partner });
    expect((await conn.query("SELECT Id FROM Account WHERE RecordType.DeveloperName = 'Partner'")).totalSize).toBe(1);
  });
});
