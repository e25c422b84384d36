// Local Salesforce org emulator (not Salesforce): the Composite resource (POST /composite) through jsforce.

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const ACME = DEMO_IDS.opportunities.acme;
const ROOT = '/services/data/v62.0';

let org: OrgEmulator;
let conn: Connection;

beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

interface Result {
  body: any;
  httpStatusCode: number;
  referenceId: string;
  httpHeaders: Record<string, string>;
}
const composite = async (compositeRequest: unknown[], allOrNone = false) =>
  ((await conn.requestPost('/composite', { allOrNone, compositeRequest })) as { compositeResponse: Result[] }).compositeResponse;
const upsertTask = (ref: string, key: string, body: Record<string, unknown> = { Subject: key, WhatId: ACME }) => ({
  method: 'PATCH',
  url: `${ROOT}/sobjects/Task/Action_Plan_Task_Id__c/${key}`,
  referenceId: ref,
  body,
});
const tasksKeyed = (key: string) => org.records('Task').filter((t) => t.Action_Plan_Task_Id__c === key);

describe('composite request', () => {
  it('answers every subrequest with its own status and body, as one API call', async () => {
    org.resetRequests();
    const results = await composite([
      {
        method: 'GET',
        url: `${ROOT}/query?q=${encodeURIComponent(`SELECT Id FROM Opportunity WHERE Id = '${ACME}'`)}`,
        referenceId: 'opp',
      },
      upsertTask('task1', 'k-1'),
      { method: 'PATCH', url: `${ROOT}/sobjects/Opportunity/${ACME}`, referenceId: 'update', body: { NextStep: 'Call' } },
    ]);
    expect(results.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([
      ['opp', 200],
      ['task1', 201],
      ['update', 204],
    ]);
    expect(results[0]!.body.records[0].Id).toBe(ACME);
    expect(results[1]!.body).toMatchObject({ success: true, created: true });
    expect(results[2]!.body).toBeNull();
    expect(org.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${ROOT}/composite`]);
    expect(org.records('Opportunity').find((o) => o.Id === ACME)!.NextStep).toBe('Call');
  });

  it('with allOrNone false, a failed subrequest fails alone with the REST error list', async () => {
    const results = await composite([
      upsertTask('good', 'k-2'),
      { method: 'PATCH', url: `${ROOT}/sobjects/Opportunity/${ACME}`, referenceId: 'bad', body: { NoSuchField__c: 1 } },
    ]);
    expect(results[0]!.httpStatusCode).toBe(201);
    expect(results[1]!.httpStatusCode).toBe(400);
    expect(results[1]!.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(tasksKeyed('k-2')).toHaveLength(1);
  });

  it('with allOrNone true, one failure rolls every write back and the others answer 400 PROCESSING_HALTED', async () => {
    const results = await composite(
      [
        upsertTask('good', 'k-3'),
        { method: 'PATCH', url: `${ROOT}/sobjects/Opportunity/${ACME}`, referenceId: 'bad', body: { NoSuchField__c: 1 } },
      ],
      true,
    );
    expect(results.map((r) => r.httpStatusCode)).toEqual([400, 400]);
    expect(results[0]!.body[0].errorCode).toBe('PROCESSING_HALTED');
    expect(results[1]!.body[0].errorCode).toBe('INVALID_FIELD');
    expect(tasksKeyed('k-3')).toHaveLength(0);
  });

  it('C3: with allOrNone true, a collection subrequest is all-or-none too: one failed record rolls back the whole request', async () => {
    const results = await composite(
      [
        upsertTask('before', 'k-4'),
        {
          method: 'POST',
          url: `${ROOT}/composite/sobjects`,
          referenceId: 'collection',
          // The subrequest's own allOrNone false is overridden by the composite's true.
          body: {
            allOrNone: false,
            records: [
              { attributes: { type: 'Task' }, Subject: 'kept alone, rolled back here', WhatId: ACME },
              { attributes: { type: 'Task' }, Subject: 'owned by a former user', OwnerId: DEMO_IDS.users.caseyFormer },
            ],
          },
        },
      ],
      true,
    );
    expect(results[0]).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
    const records = results[1]!.body as { success: boolean; errors: { statusCode: string }[] }[];
    expect(records.map((r) => r.success)).toEqual([false, false]);
    expect(records[0]!.errors[0]!.statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(tasksKeyed('k-4')).toHaveLength(0);
    expect(org.records('Task').filter((t) => t.Subject === 'kept alone, rolled back here')).toHaveLength(0);
  });

  it('C3: with allOrNone false, a collection subrequest keeps its own allOrNone false: the good record stays', async () => {
    const results = await composite([
      {
        method: 'POST',
        url: `${ROOT}/composite/sobjects`,
        referenceId: 'collection',
        body: {
          allOrNone: false,
          records: [
            { attributes: { type: 'Task' }, Subject: 'kept alone', WhatId: ACME },
            { attributes: { type: 'Task' }, Subject: 'owned by a former user', OwnerId: DEMO_IDS.users.caseyFormer },
          ],
        },
      },
    ]);
    expect((results[0]!.body as { success: boolean }[]).map((r) => r.success)).toEqual([true, false]);
    expect(org.records('Task').filter((t) => t.Subject === 'kept alone')).toHaveLength(1);
  });

  it('resolves @{ref.field} from an earlier result, and halts a subrequest whose reference has no value', async () => {
    const results = await composite([
      upsertTask('first', 'k-4'),
      { method: 'GET', url: `${ROOT}/sobjects/Task/@{first.id}`, referenceId: 'readBack' },
      { method: 'PATCH', url: `${ROOT}/sobjects/Opportunity/${ACME}`, referenceId: 'bad', body: { NoSuchField__c: 1 } },
      { method: 'GET', url: `${ROOT}/sobjects/Task/@{bad.id}`, referenceId: 'dependent' },
    ]);
    expect(results[1]!.httpStatusCode).toBe(200);
    expect(results[1]!.body.Action_Plan_Task_Id__c).toBe('k-4');
    expect(results[3]!.httpStatusCode).toBe(400);
    expect(results[3]!.body[0].errorCode).toBe('PROCESSING_HALTED');
  });

  it('refuses more than 25 subrequests, and more than 5 queries', async () => {
    const tooMany = Array.from({ length: 26 }, (_, i) => upsertTask(`t${i}`, `k-many-${i}`));
    expect(await failureOf(composite(tooMany))).toMatchObject({ errorCode: 'LIMIT_EXCEEDED' });
    expect(org.records('Task').filter((t) => String(t.Action_Plan_Task_Id__c).startsWith('k-many'))).toHaveLength(0);
    const queries = Array.from({ length: 6 }, (_, i) => ({
      method: 'GET',
      url: `${ROOT}/query?q=SELECT+Id+FROM+Account`,
      referenceId: `q${i}`,
    }));
    expect(await failureOf(composite(queries))).toMatchObject({ errorCode: 'LIMIT_EXCEEDED' });
  });

  it('refuses a bad or repeated referenceId, a lower-case method, an inherited header and an unsupported resource', async () => {
    const cases = [
      [upsertTask('a-b', 'k-5')],
      [upsertTask('same', 'k-6'), upsertTask('same', 'k-7')],
      [{ ...upsertTask('m', 'k-8'), method: 'patch' }],
      [{ ...upsertTask('h', 'k-9'), httpHeaders: { Authorization: 'Bearer x' } }],
      [{ method: 'POST', url: `${ROOT}/composite`, referenceId: 'nested', body: { compositeRequest: [] } }],
    ];
    for (const c of cases) expect(await failureOf(composite(c))).toMatchObject({ errorCode: expect.stringMatching(/INVALID_INPUT/) });
  });
});
