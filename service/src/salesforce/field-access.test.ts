// A user's field access, computed from FieldPermissions as Salesforce grants it, read through the real jsforce client
// from the local org emulator (not Salesforce).
import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from '../../../dev/org-emulator/index.ts';
import { DEMO_IDS, startDemoOrg } from '../../../dev/demo-seed/index.ts';
import { FieldAccess, isAlwaysReadable, loadReadableFields, readableFieldsOf } from './field-access.ts';
import { SalesforceGateway } from './gateway.ts';

const { users, profilePermissionSets } = DEMO_IDS;

describe('readableFieldsOf', () => {
  it('grants a field only through a row with Read: no row, or a row without Read, is no access', () => {
    const fields = readableFieldsOf([
      { Field: 'Opportunity.Amount', PermissionsRead: true },
      { Field: 'Contact.Email', PermissionsRead: false },
    ]);
    expect(fields.canRead('Opportunity.Amount')).toBe(true);
    expect(fields.canRead('opportunity.amount')).toBe(true);
    expect(fields.canRead('Contact.Email')).toBe(false);
    expect(fields.canRead('Opportunity.Current_ARR__c')).toBe(false);
  });

  it('is the union of the rows of every permission set (one Read anywhere is enough)', () => {
    const profile = [{ Field: 'Opportunity.Amount', PermissionsRead: false }];
    const assigned = [{ Field: 'Opportunity.Amount', PermissionsRead: true }];
    expect(readableFieldsOf([...profile, ...assigned]).canRead('Opportunity.Amount')).toBe(true);
    expect(readableFieldsOf([...assigned, ...profile]).canRead('Opportunity.Amount')).toBe(true);
  });

  it('always reads the fields Salesforce keeps no permissions for: Id, Name, audit fields, the owner, required fields', () => {
    const none = readableFieldsOf([]);
    for (const field of [
      'Opportunity.Id',
      'Opportunity.Name',
      'Account.Name',
      'Opportunity.CloseDate',
      'Opportunity.StageName',
      'Task.CreatedDate',
      'Contact.OwnerId',
    ])
      expect(none.canRead(field), field).toBe(true);
    expect(isAlwaysReadable('Opportunity.Amount')).toBe(false);
    expect(isAlwaysReadable('Contact.Email')).toBe(false);
  });
});

describe('loadReadableFields, from the org', () => {
  let org: OrgEmulator;
  let conn: Connection;
  let gateway: SalesforceGateway;
  const read = <T extends Record<string, unknown>>(soql: string) => gateway.query<T>(soql, 0);
  beforeEach(async () => {
    org = await startDemoOrg({ today: new Date('2026-11-25T10:00:00Z') });
    conn = new Connection({ instanceUrl: org.url, accessToken: 'test-token', version: '62.0' });
    gateway = new SalesforceGateway(conn, { fieldAccessCacheMs: 0 });
  });
  afterEach(() => org.close());

  const amountRow = async () =>
    (
      await conn.query<{ Id: string }>(
        `SELECT Id FROM FieldPermissions WHERE ParentId = '${profilePermissionSets.standardUser}' AND Field = 'Opportunity.Amount'`,
      )
    ).records[0]!.Id;

  it("reads the profile's permission set: the demo CSM reads Amount until the profile's row is deleted", async () => {
    expect((await loadReadableFields(read, users.jordanLee)).canRead('Opportunity.Amount')).toBe(true);
    await conn.sobject('FieldPermissions').destroy(await amountRow());
    const fields = await loadReadableFields(read, users.jordanLee);
    expect(fields.canRead('Opportunity.Amount')).toBe(false);
    expect(fields.canRead('Opportunity.Current_ARR__c')).toBe(true);
    expect(fields.canRead('Opportunity.Name')).toBe(true);
  });

  it('adds the assigned permission sets to the profile: an assignment gives back what the profile lost, to that user only', async () => {
    await conn.sobject('FieldPermissions').destroy(await amountRow());
    const set = await conn.sobject('PermissionSet').create({ Name: 'Renewal_Amounts', Label: 'Renewal amounts' });
    await conn
      .sobject('FieldPermissions')
      .create({ ParentId: set.id, SobjectType: 'Opportunity', Field: 'Opportunity.Amount', PermissionsRead: true });
    await conn.sobject('PermissionSetAssignment').create({ AssigneeId: users.morganDiaz, PermissionSetId: set.id });
    expect((await loadReadableFields(read, users.morganDiaz)).canRead('Opportunity.Amount')).toBe(true);
    expect((await loadReadableFields(read, users.jordanLee)).canRead('Opportunity.Amount')).toBe(false);
    // Morgan keeps the profile's other fields too: the union, not the assigned set alone.
    expect((await loadReadableFields(read, users.morganDiaz)).canRead('Contact.Email')).toBe(true);
  });

  it('reads nothing permissionable for a user the org does not know', async () => {
    const fields = await loadReadableFields(read, '0055e0000000999AAA');
    expect(fields.canRead('Opportunity.Amount')).toBe(false);
    expect(fields.canRead('Opportunity.Name')).toBe(true);
  });

  it('caches per user for its lifetime on the clock it is given, then reads the org again', async () => {
    let now = 0;
    const access = new FieldAccess(read, { ttlMs: 60_000, now: () => now });
    expect((await access.readable(users.jordanLee)).canRead('Opportunity.Amount')).toBe(true);
    await conn.sobject('FieldPermissions').destroy(await amountRow());
    org.resetRequests();
    expect((await access.readable(users.jordanLee)).canRead('Opportunity.Amount')).toBe(true);
    expect(org.requests).toHaveLength(0);
    now = 60_001;
    expect((await access.readable(users.jordanLee)).canRead('Opportunity.Amount')).toBe(false);
  });
});
