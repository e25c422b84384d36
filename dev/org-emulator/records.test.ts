// Local Salesforce org emulator (not Salesforce): one-record create/read/update/delete and Salesforce's validation.

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesforceId, type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const { opportunities: opp, contacts, accounts, users } = DEMO_IDS;
const SF_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/;

let org: OrgEmulator;
let conn: Connection;

beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

describe('create, read, update, delete', () => {
  it('creates a task with defaults, audit fields and derived fields', async () => {
    const result = await conn
      .sobject('Task')
      .create({ Subject: 'Intro call with Eric', WhatId: opp.acme, WhoId: contacts.ericEstrada, ActivityDate: '2026-12-01' });
    expect(result).toMatchObject({ success: true, errors: [] });
    expect(result.id).toMatch(/^00T\w{15}$/);
    const task = await conn.sobject('Task').retrieve(result.id!);
    expect(task).toMatchObject({
      attributes: { type: 'Task', url: `/services/data/v62.0/sobjects/Task/${result.id}` },
      Status: 'Not Started',
      Priority: 'Normal',
      TaskSubtype: 'Task',
      IsClosed: false,
      AccountId: accounts.acme, // from the opportunity it relates to
      OwnerId: users.alexAdmin, // the running user
      ActivityDate: '2026-12-01',
    });
    expect(task.CreatedDate).toMatch(SF_DATETIME);
    expect(String(task.CreatedDate).slice(0, 10)).toBe('2026-11-25');
    expect(task.SystemModstamp).toBe(task.LastModifiedDate);
  });

  it('reads only the requested fields', async () => {
    const record = await conn.sobject('Opportunity').retrieve(opp.globex, { fields: ['Name', 'Current_ARR__c'] });
    expect(Object.keys(record).sort()).toEqual(['Current_ARR__c', 'Name', 'attributes']);
    expect(record.Current_ARR__c).toBe(86000);
  });

  it('updates with PATCH, moves LastModifiedDate forward and recomputes IsClosed', async () => {
    const { id } = await conn.sobject('Task').create({ Subject: 'Follow up', WhatId: opp.northwind });
    const before = await conn.sobject('Task').retrieve(id!);
    const result = await conn.sobject('Task').update({ Id: id!, Status: 'Completed', Description: 'Done' });
    expect(result).toEqual({ id, success: true, errors: [] });
    const after = await conn.sobject('Task').retrieve(id!);
    expect(after).toMatchObject({ Status: 'Completed', IsClosed: true, Description: 'Done' });
    expect(String(after.LastModifiedDate) > String(before.LastModifiedDate)).toBe(true);
    expect(after.CreatedDate).toBe(before.CreatedDate);
  });

  it('deletes, then answers 404 ENTITY_IS_DELETED; unknown ids are NOT_FOUND', async () => {
    const { id } = await conn.sobject('Task').create({ Subject: 'Temporary' });
    expect(await conn.sobject('Task').destroy(id!)).toEqual({ id, success: true, errors: [] });
    expect((await failureOf(conn.sobject('Task').retrieve(id!))).name).toBe('ENTITY_IS_DELETED');
    expect(org.records('Task').some((t) => t.Id === id)).toBe(false);
    const unknown = await failureOf(conn.sobject('Task').retrieve(salesforceId('00T', 999_999)));
    expect(unknown.name).toBe('NOT_FOUND');
    expect(unknown.message).toBe('The requested resource does not exist');
  });

  it('upserts one record by external id: created, then updated', async () => {
    const first = await conn
      .sobject('Task')
      .upsert({ Action_Plan_Task_Id__c: 'plan-1:task-1', Subject: 'Draft' }, 'Action_Plan_Task_Id__c');
    expect(first).toMatchObject({ success: true, created: true });
    const second = await conn
      .sobject('Task')
      .upsert({ Action_Plan_Task_Id__c: 'plan-1:task-1', Subject: 'Final' }, 'Action_Plan_Task_Id__c');
    expect(second).toMatchObject({ id: (first as { id: string }).id, success: true, created: false });
    const tasks = org.records('Task').filter((t) => t.Action_Plan_Task_Id__c === 'plan-1:task-1');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.Subject).toBe('Final');
  });

  it('keeps one primary contact role per opportunity', async () => {
    const sarahRole = '00K5e0000000001EAA';
    await conn.sobject('OpportunityContactRole').update({ Id: sarahRole, IsPrimary: true });
    const roles = org.records('OpportunityContactRole').filter((r) => r.OpportunityId === opp.acme && r.IsPrimary);
    expect(roles.map((r) => r.ContactId)).toEqual([contacts.sarahChen]);
  });

  it('derives an event ActivityDate from its start', async () => {
    const { id } = await conn
      .sobject('Event')
      .create({ Subject: 'Intro', StartDateTime: '2026-12-03T23:30:00+00:00', EndDateTime: '2026-12-04T00:30:00Z', WhatId: opp.acme });
    expect(await conn.sobject('Event').retrieve(id!)).toMatchObject({
      ActivityDate: '2026-12-03',
      StartDateTime: '2026-12-03T23:30:00.000+0000',
      AccountId: accounts.acme,
    });
  });
});

describe('validation', () => {
  const createTask = (fields: Record<string, unknown>) => conn.sobject('Task').create({ Subject: 'Check', ...fields });

  it.each([
    [{ Status: 'Done' }, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', /Status: bad value for restricted picklist field: Done/],
    [{ Priority: 'Urgent' }, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', /bad value for restricted picklist field: Urgent/],
    [{ Nope__c: 'x' }, 'INVALID_FIELD', /No such column 'Nope__c' on sobject of type Task/],
    [{ IsClosed: true }, 'INVALID_FIELD_FOR_INSERT_UPDATE', /Unable to create\/update fields: IsClosed/],
    [{ CreatedDate: '2026-01-01T00:00:00Z' }, 'INVALID_FIELD_FOR_INSERT_UPDATE', /CreatedDate/],
    [{ WhatId: 'not-an-id' }, 'MALFORMED_ID', /id value of incorrect type: not-an-id/],
    [{ WhoId: DEMO_IDS.accounts.acme }, 'FIELD_INTEGRITY_EXCEPTION', /id value of incorrect type/],
    [{ WhatId: salesforceId('006', 999_999) }, 'FIELD_INTEGRITY_EXCEPTION', /Related To ID/],
    [{ Action_Plan_Task_Id__c: 'x'.repeat(65) }, 'STRING_TOO_LONG', /max length=64/],
    [{ ActivityDate: '2026/12/01' }, 'JSON_PARSER_ERROR', /ActivityDate/],
  ])('rejects %j with %s', async (fields, errorCode, message) => {
    const err = await failureOf(createTask(fields));
    expect(err.name).toBe(errorCode);
    expect(err.message).toMatch(message);
    expect(org.records('Task').filter((t) => t.Subject === 'Check')).toHaveLength(0);
  });

  it('accepts every Task status and priority Salesforce allows', async () => {
    for (const Status of ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred']) {
      expect((await createTask({ Status, Priority: 'Low' })).success).toBe(true);
    }
  });

  it('accepts any opportunity stage name and 15-character ids', async () => {
    await conn
      .sobject('Opportunity')
      .update({ Id: opp.acme, StageName: 'Renewal — At Risk', Primary_Contact__c: contacts.ericEstrada.slice(0, 15) });
    const [acme] = org.records('Opportunity').filter((o) => o.Id === opp.acme);
    expect(acme).toMatchObject({ StageName: 'Renewal — At Risk', Primary_Contact__c: contacts.ericEstrada });
  });

  it('requires required fields and refuses create-only fields on update', async () => {
    const missing = await failureOf(conn.sobject('Opportunity').create({ Name: 'No close date', StageName: 'Discovery' }));
    expect(missing.name).toBe('REQUIRED_FIELD_MISSING');
    expect(missing.message).toMatch(/CloseDate/);
    const { id } = await createTask({ TaskSubtype: 'Call' });
    const err = await failureOf(conn.sobject('Task').update({ Id: id!, TaskSubtype: 'Email' }));
    expect(err.name).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('keeps the external id unique', async () => {
    const first = await createTask({ Action_Plan_Task_Id__c: 'plan-7:task-1' });
    const err = await failureOf(createTask({ Action_Plan_Task_Id__c: 'PLAN-7:task-1' }));
    expect(err.name).toBe('DUPLICATE_VALUE');
    expect(err.message).toContain(first.id!);
  });
});
