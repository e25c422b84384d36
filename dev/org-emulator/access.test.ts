// Local Salesforce org emulator (not Salesforce): UserRecordAccess for each demo user, and seed shares.

import type { Connection } from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { salesforceId, type OrgEmulator } from './index.ts';
import { DEMO_IDS, loadDemoSeed, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const { users, opportunities: opp, accounts } = DEMO_IDS;
const ACME_ROLE = '00K5e0000000001EAA';
const ACME_TASK = '00T5e0000000001EAA';

let org: OrgEmulator;
let conn: Connection;
afterEach(() => org.close());

async function start(shares: { userId: string; recordId: string; access: 'Read' | 'Edit' }[] = []) {
  org = await startDemoOrg({ today: TODAY, seed: { ...loadDemoSeed(), shares } });
  conn = connect(org);
}

/** [read, edit] per record id for one user, in the order asked. */
async function access(userId: string, recordIds: string[]) {
  const filter = recordIds.length === 1 ? `RecordId = '${recordIds[0]}'` : `RecordId IN ('${recordIds.join("','")}')`;
  const result = await conn.query<{ RecordId: string; HasReadAccess: boolean; HasEditAccess: boolean }>(
    `SELECT RecordId, HasReadAccess, HasEditAccess FROM UserRecordAccess WHERE UserId = '${userId}' AND ${filter}`,
  );
  return result.records.map((r) => [r.RecordId, r.HasReadAccess, r.HasEditAccess]);
}

const demoRecords = [opp.acme, opp.northwind, accounts.globex, ACME_ROLE, ACME_TASK];

describe('UserRecordAccess', () => {
  it('answers in the UserRecordAccess shape for one record', async () => {
    await start();
    const result = await conn.query(
      `SELECT RecordId, HasReadAccess, HasEditAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '${users.jordanLee}' AND RecordId = '${opp.acme}'`,
    );
    expect(result).toMatchObject({ totalSize: 1, done: true });
    expect(result.records[0]).toEqual({
      attributes: { type: 'UserRecordAccess', url: `/services/data/v62.0/sobjects/UserRecordAccess/${opp.acme}` },
      RecordId: opp.acme,
      HasReadAccess: true,
      HasEditAccess: true,
      MaxAccessLevel: 'All',
    });
  });

  it('gives the owning CSM read and edit on their opportunities, accounts, contact roles and tasks', async () => {
    await start();
    expect(await access(users.jordanLee, demoRecords)).toEqual(demoRecords.map((id) => [id, true, true]));
  });

  it('gives a CSM who owns nothing no access', async () => {
    await start();
    expect(await access(users.morganDiaz, demoRecords)).toEqual(demoRecords.map((id) => [id, false, false]));
  });

  it('gives the System Administrator access to everything', async () => {
    await start();
    expect(await access(users.alexAdmin, demoRecords)).toEqual(demoRecords.map((id) => [id, true, true]));
  });

  it('gives an inactive user nothing, even on records they own', async () => {
    await start();
    // Owned while Casey was active; a Task can't be given to an inactive owner (INACTIVE_OWNER_OR_USER, R1).
    org.updateRecord('User', users.caseyFormer, { IsActive: true });
    await conn.sobject('Task').create({ Subject: 'Old task', OwnerId: users.caseyFormer });
    org.updateRecord('User', users.caseyFormer, { IsActive: false });
    const [task] = org.records('Task').filter((t) => t.Subject === 'Old task');
    expect(await access(users.caseyFormer, [task!.Id as string, opp.acme])).toEqual([
      [task!.Id, false, false],
      [opp.acme, false, false],
    ]);
  });

  it('grants edit through account ownership, without delete', async () => {
    await start();
    const { id } = await conn.sobject('Task').create({ Subject: 'Admin task', WhatId: opp.acme, OwnerId: users.alexAdmin });
    const result = await conn.query<{ HasEditAccess: boolean; HasDeleteAccess: boolean }>(
      `SELECT RecordId, HasEditAccess, HasDeleteAccess FROM UserRecordAccess WHERE UserId = '${users.jordanLee}' AND RecordId = '${id}'`,
    );
    expect(result.records[0]).toMatchObject({ HasEditAccess: true, HasDeleteAccess: false });
  });

  it('grants read or edit through seed shares, and a share on an opportunity covers its contact roles', async () => {
    await start([
      { userId: users.morganDiaz, recordId: opp.acme, access: 'Read' },
      { userId: users.morganDiaz, recordId: opp.northwind, access: 'Edit' },
    ]);
    expect(await access(users.morganDiaz, [opp.acme, opp.northwind, ACME_ROLE, opp.globex])).toEqual([
      [opp.acme, true, false],
      [opp.northwind, true, true],
      [ACME_ROLE, true, false],
      [opp.globex, false, false],
    ]);
  });

  it('requires UserId and RecordId filters and at most 200 record ids', async () => {
    await start();
    const missing = await failureOf(conn.query(`SELECT RecordId FROM UserRecordAccess WHERE RecordId = '${opp.acme}'`));
    expect(missing.name).toBe('MALFORMED_QUERY');
    const ids = Array.from({ length: 201 }, (_, i) => salesforceId('006', 1000 + i));
    const tooMany = await failureOf(access(users.jordanLee, ids));
    expect(tooMany.name).toBe('EXCEEDED_ID_LIMIT');
    expect(await access(users.jordanLee, ids.slice(0, 200))).toHaveLength(200);
  });
});
