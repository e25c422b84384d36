// Local Salesforce org emulator (not Salesforce): field-level security's setup objects through the REST API (jsforce).
// Each test is one row of the conformance table in README.md (the id in its name).

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const { users, profiles, profilePermissionSets: owned } = DEMO_IDS;
let org: OrgEmulator;
let conn: Connection;
beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

type Row = { Id: string; Field: string; PermissionsRead: boolean; PermissionsEdit: boolean };
const fieldRows = async (where: string) =>
  (await conn.query<Row>(`SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ${where}`)).records;
/** The per-record error of a one-record collection create (the wire's `statusCode` and `fields`). */
const createFailure = async (type: string, record: Record<string, unknown>) => {
  const [result] = await conn.sobject(type).create([record]);
  expect(result!.success).toBe(false);
  return (result as unknown as { errors: { statusCode: string; fields: string[] }[] }).errors[0];
};

describe('field-level security setup objects', () => {
  it("F1: a profile's field access is the permission set it owns (IsOwnedByProfile, ProfileId), read through Parent", async () => {
    const sets = await conn.query<{ Id: string; IsOwnedByProfile: boolean }>(
      `SELECT Id, IsOwnedByProfile FROM PermissionSet WHERE ProfileId = '${profiles.standardUser}'`,
    );
    expect(sets.records.map((s) => [s.Id, s.IsOwnedByProfile])).toEqual([[owned.standardUser, true]]);
    const rows = await fieldRows(`Parent.ProfileId = '${profiles.standardUser}' AND SobjectType = 'Opportunity'`);
    expect(rows.map((r) => r.Field)).toContain('Opportunity.Amount');
    expect(rows.find((r) => r.Field === 'Opportunity.IsClosed')).toMatchObject({ PermissionsRead: true, PermissionsEdit: false });
    // Not permissionable: always readable, so they have no rows.
    for (const field of ['Opportunity.Id', 'Opportunity.Name', 'Opportunity.CloseDate', 'Opportunity.OwnerId', 'Opportunity.CreatedDate'])
      expect(rows.map((r) => r.Field)).not.toContain(field);
    // describe says which fields field-level security applies to.
    const describe = await conn.sobject('Opportunity').describe();
    const permissionable = (name: string) => describe.fields.find((f) => f.name === name)?.permissionable;
    expect(['Amount', 'Current_ARR__c', 'IsClosed'].map(permissionable)).toEqual([true, true, true]);
    expect(['Id', 'Name', 'CloseDate', 'OwnerId', 'CreatedDate'].map(permissionable)).toEqual([false, false, false, false, false]);
    const set = await failureOf(conn.sobject('PermissionSet').create({ Name: 'Mine', Label: 'Mine', IsOwnedByProfile: true }));
    expect(set.errorCode ?? set.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('F2: a FieldPermissions row is created, queried, updated and deleted; Field is `Object.Field` in its API spelling', async () => {
    const set = await conn.sobject('PermissionSet').create({ Name: 'Renewal_Finance', Label: 'Renewal Finance' });
    const created = await conn
      .sobject('FieldPermissions')
      .create({ ParentId: set.id, SobjectType: 'opportunity', Field: 'opportunity.amount', PermissionsRead: true });
    expect(created.success).toBe(true);
    expect(await fieldRows(`ParentId = '${set.id}'`)).toEqual([
      expect.objectContaining({ Id: created.id, Field: 'Opportunity.Amount', PermissionsRead: true, PermissionsEdit: false }),
    ]);
    await conn.sobject('FieldPermissions').update({ Id: created.id!, PermissionsEdit: true });
    expect((await fieldRows(`ParentId = '${set.id}'`))[0]!.PermissionsEdit).toBe(true);
    await conn.sobject('FieldPermissions').destroy(created.id!);
    expect(await fieldRows(`ParentId = '${set.id}'`)).toEqual([]);
  });

  it('F3: a field that is not permissionable, or not on the SobjectType, cannot get a row (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST)', async () => {
    for (const [SobjectType, Field] of [
      ['Opportunity', 'Opportunity.Name'],
      ['Opportunity', 'Opportunity.Id'],
      ['Opportunity', 'Opportunity.CreatedById'],
      ['Contact', 'Contact.Name'],
      ['Opportunity', 'Account.Industry'],
      ['Opportunity', 'Opportunity.NoSuchField__c'],
    ]) {
      expect(
        await createFailure('FieldPermissions', { ParentId: owned.standardUser, SobjectType, Field, PermissionsRead: true }),
        Field,
      ).toMatchObject({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Field'] });
    }
  });

  it('F4: Edit requires Read on the same row, and a read-only (formula) field takes Read only', async () => {
    const set = await conn.sobject('PermissionSet').create({ Name: 'Edit_Only', Label: 'Edit only' });
    expect(
      await createFailure('FieldPermissions', {
        ParentId: set.id,
        SobjectType: 'Opportunity',
        Field: 'Opportunity.Amount',
        PermissionsRead: false,
        PermissionsEdit: true,
      }),
    ).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['PermissionsEdit'] });
    expect(
      await createFailure('FieldPermissions', {
        ParentId: set.id,
        SobjectType: 'Opportunity',
        Field: 'Opportunity.IsClosed',
        PermissionsRead: true,
        PermissionsEdit: true,
      }),
    ).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['PermissionsEdit'] });
    expect(await fieldRows(`ParentId = '${set.id}'`)).toEqual([]);
  });

  it('F5: one row per permission set and field (DUPLICATE_VALUE)', async () => {
    expect(
      await createFailure('FieldPermissions', {
        ParentId: owned.standardUser,
        SobjectType: 'Opportunity',
        Field: 'Opportunity.Amount',
        PermissionsRead: true,
      }),
    ).toMatchObject({ statusCode: 'DUPLICATE_VALUE' });
  });

  it('F6: PermissionSetAssignment adds a permission set to a user, once; a profile-owned set cannot be assigned', async () => {
    const set = await conn.sobject('PermissionSet').create({ Name: 'Renewal_Desk', Label: 'Renewal desk' });
    const assigned = await conn.sobject('PermissionSetAssignment').create({ AssigneeId: users.morganDiaz, PermissionSetId: set.id });
    expect(assigned.success).toBe(true);
    const mine = await conn.query<{ PermissionSetId: string }>(
      `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '${users.morganDiaz}'`,
    );
    expect(mine.records.map((r) => r.PermissionSetId)).toEqual([set.id]);
    expect(await createFailure('PermissionSetAssignment', { AssigneeId: users.morganDiaz, PermissionSetId: set.id })).toMatchObject({
      statusCode: 'DUPLICATE_VALUE',
    });
    expect(
      await createFailure('PermissionSetAssignment', { AssigneeId: users.morganDiaz, PermissionSetId: owned.standardUser }),
    ).toMatchObject({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['PermissionSetId'] });
    await conn.sobject('PermissionSetAssignment').destroy(assigned.id!);
    expect((await conn.query(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${users.morganDiaz}'`)).totalSize).toBe(0);
  });
});
