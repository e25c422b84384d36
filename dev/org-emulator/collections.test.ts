// Local Salesforce org emulator (not Salesforce): sObject collections (composite/sobjects) through jsforce.

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesforceId, type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, statusCodes, TODAY } from './test-support.ts';

const { opportunities: opp } = DEMO_IDS;
const ROLLED_BACK = 'ALL_OR_NONE_OPERATION_ROLLED_BACK';

let org: OrgEmulator;
let conn: Connection;

beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

const planTasks = (n: number, prefix = 'plan-1') =>
  Array.from({ length: n }, (_, i) => ({ Subject: `Step ${i + 1}`, WhatId: opp.acme, Action_Plan_Task_Id__c: `${prefix}:task-${i + 1}` }));
const tasksWithKeyPrefix = (prefix: string) => org.records('Task').filter((t) => String(t.Action_Plan_Task_Id__c ?? '').startsWith(prefix));

describe('create and update', () => {
  it('creates several records in one composite call', async () => {
    org.resetRequests();
    const results = await conn.sobject('Task').create(planTasks(3));
    expect(results.map((r) => r.success)).toEqual([true, true, true]);
    expect(org.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /services/data/v62.0/composite/sobjects']);
    expect(tasksWithKeyPrefix('plan-1').map((t) => t.Id)).toEqual(results.map((r) => r.id));
  });

  it('updates several records in one composite call', async () => {
    const created = await conn.sobject('Task').create(planTasks(2));
    const results = await conn.sobject('Task').update(created.map((r) => ({ Id: r.id!, Status: 'In Progress' })));
    expect(results).toEqual(created.map((r) => ({ id: r.id, success: true, errors: [] })));
    expect(tasksWithKeyPrefix('plan-1').map((t) => t.Status)).toEqual(['In Progress', 'In Progress']);
  });

  it('fails records one by one without allOrNone', async () => {
    const results = await conn.sobject('Task').create([{ Subject: 'Good' }, { Subject: 'Bad', Status: 'Done' }, { Subject: 'Also good' }]);
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status'] }],
    });
    expect(org.records('Task').filter((t) => ['Good', 'Also good', 'Bad'].includes(String(t.Subject)))).toHaveLength(2);
  });

  it('rolls back every record when one fails with allOrNone', async () => {
    const before = org.records('Task').length;
    const results = await conn.sobject('Task').create([{ Subject: 'Good' }, { Subject: 'Bad', Priority: 'Urgent' }], { allOrNone: true });
    expect(results[0]).toMatchObject({ success: false, errors: [{ statusCode: ROLLED_BACK }] });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }] });
    expect(org.records('Task')).toHaveLength(before);
  });

  it('rolls back updates with allOrNone, leaving the records as they were', async () => {
    const [a, b] = await conn.sobject('Task').create(planTasks(2));
    const results = await conn.sobject('Task').update(
      [
        { Id: a!.id!, Subject: 'Changed' },
        { Id: b!.id!, Status: 'Finished' },
      ],
      { allOrNone: true },
    );
    expect(statusCodes(results)).toEqual([ROLLED_BACK, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']);
    expect(tasksWithKeyPrefix('plan-1').map((t) => t.Subject)).toEqual(['Step 1', 'Step 2']);
  });

  it('refuses more than 200 records in one call', async () => {
    const err = await failureOf(conn.sobject('Task').create(planTasks(201)));
    expect(err.name).toBe('EXCEEDED_ID_LIMIT');
    expect(err.message).toMatch(/cannot submit more than 200 records/);
    expect(tasksWithKeyPrefix('plan-1')).toHaveLength(0);
    expect(await conn.sobject('Task').create(planTasks(200))).toHaveLength(200);
  });

  it('fails the whole request on an unknown field, writing nothing', async () => {
    const err = await failureOf(conn.sobject('Task').create([{ Subject: 'Fine' }, { Subject: 'Typo', Staus: 'Completed' }]));
    expect(err.name).toBe('INVALID_FIELD');
    expect(org.records('Task').some((t) => t.Subject === 'Fine')).toBe(false);
  });
});

describe('upsert by Action_Plan_Task_Id__c', () => {
  it('creates on the first call and updates on the second, never duplicating', async () => {
    const first = await conn.sobject('Task').upsert(planTasks(3), 'Action_Plan_Task_Id__c');
    expect(first.map((r) => [r.success, r.created])).toEqual([
      [true, true],
      [true, true],
      [true, true],
    ]);
    const again = planTasks(3).map((t) => ({ ...t, Subject: `${t.Subject} (revised)` }));
    const second = await conn.sobject('Task').upsert(again, 'Action_Plan_Task_Id__c');
    expect(second.map((r) => r.created)).toEqual([false, false, false]);
    expect(second.map((r) => r.id)).toEqual(first.map((r) => r.id));
    const stored = tasksWithKeyPrefix('plan-1');
    expect(stored).toHaveLength(3);
    expect(stored.map((t) => t.Subject)).toEqual(['Step 1 (revised)', 'Step 2 (revised)', 'Step 3 (revised)']);
  });

  it('mixes creates and updates in one call', async () => {
    await conn.sobject('Task').upsert(planTasks(1), 'Action_Plan_Task_Id__c');
    const results = await conn.sobject('Task').upsert(planTasks(2), 'Action_Plan_Task_Id__c');
    expect(results.map((r) => r.created)).toEqual([false, true]);
  });

  it('fails every record whose key appears twice in one call, and writes the others', async () => {
    const results = await conn
      .sobject('Task')
      .upsert([...planTasks(1), ...planTasks(2, 'plan-2'), ...planTasks(1)], 'Action_Plan_Task_Id__c');
    expect(results.map((r) => r.success)).toEqual([false, true, true, false]);
    expect(statusCodes(results)).toEqual(['DUPLICATE_VALUE', undefined, undefined, 'DUPLICATE_VALUE']);
    expect(tasksWithKeyPrefix('plan-1')).toHaveLength(0);
    expect(tasksWithKeyPrefix('plan-2')).toHaveLength(2);
  });

  it('rejects a field that is not an external id', async () => {
    const err = await failureOf(conn.sobject('Task').upsert([{ Subject: 'x' }], 'Subject'));
    expect(err.name).toBe('NOT_FOUND');
  });
});

describe('delete and retrieve', () => {
  it('deletes several records, failing unknown ids per record', async () => {
    const [a] = await conn.sobject('Task').create(planTasks(1));
    const missing = salesforceId('00T', 999_999);
    const results = await conn.sobject('Task').destroy([a!.id!, missing]);
    expect(results[0]).toEqual({ id: a!.id, success: true, errors: [] });
    expect(results[1]).toMatchObject({ id: missing, success: false, errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY' }] });
    expect(tasksWithKeyPrefix('plan-1')).toHaveLength(0);
  });

  it('rolls back deletes with allOrNone', async () => {
    const [a] = await conn.sobject('Task').create(planTasks(1));
    const results = await conn.sobject('Task').destroy([a!.id!, 'bad-id'], { allOrNone: true });
    expect(statusCodes(results)).toEqual([ROLLED_BACK, 'MALFORMED_ID']);
    expect(tasksWithKeyPrefix('plan-1')).toHaveLength(1);
  });

  it('retrieves several records by id, null for the missing', async () => {
    const records = await conn.sobject('Opportunity').retrieve([opp.acme, salesforceId('006', 999_999)], { fields: ['Name'] });
    expect(records).toEqual([
      {
        attributes: { type: 'Opportunity', url: `/services/data/v62.0/sobjects/Opportunity/${opp.acme}` },
        Name: 'Acme Logistics — FY27 Renewal',
      },
      null,
    ]);
  });
});
