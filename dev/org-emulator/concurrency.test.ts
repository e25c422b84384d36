// Local Salesforce org emulator (not Salesforce): concurrent upserts collide as in a real org, and the fault classes
// a proxy or an overloaded org produces (HTML error pages, Retry-After, resets, timeouts).

import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSalesforce } from '../../service/src/salesforce/connection.ts';
import { toSalesforceError } from '../../service/src/salesforce/errors.ts';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, statusCodes, TODAY } from './test-support.ts';

const { opportunities: opp } = DEMO_IDS;
const FIELD = 'Action_Plan_Task_Id__c';

let org: OrgEmulator;
let conn: Connection;
beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

const keyed = (key: string) => org.records('Task').filter((t) => t[FIELD] === key);
async function untilHeld(held: { waiting(): number }, n: number): Promise<void> {
  // Both requests must reach the commit point; each step waits for real I/O, not a fixed time.
  for (let i = 0; i < 1000 && held.waiting() < n; i++) await new Promise((r) => setTimeout(r, 1));
  expect(held.waiting()).toBe(n);
}

describe('concurrent upserts of one new external id', () => {
  it('collection upserts: one creates, the other fails DUPLICATE_VALUE; retried, it updates the same record', async () => {
    const held = org.holdUpserts();
    const record = (subject: string) => [{ [FIELD]: 'plan-task-1', Subject: subject, WhatId: opp.acme }];
    const a = conn.sobject('Task').upsert(record('first'), FIELD, { allOrNone: false });
    const b = conn.sobject('Task').upsert(record('second'), FIELD, { allOrNone: false });
    await untilHeld(held, 2);
    held.release();
    const results = [...(await a), ...(await b)] as unknown as { success: boolean; errors: { statusCode: string; message: string }[] }[];
    expect(results.filter((r) => r.success)).toHaveLength(1);
    const failed = results.find((r) => !r.success)!;
    expect(statusCodes([failed])).toEqual(['DUPLICATE_VALUE']);
    expect(failed.errors[0]!.message).toMatch(/duplicate value found: Action_Plan_Task_Id__c duplicates value on record with id: 00T/);
    expect(keyed('plan-task-1')).toHaveLength(1);
    const retried = (await conn.sobject('Task').upsert(record('second'), FIELD, { allOrNone: false })) as unknown as {
      success: boolean;
      created: boolean;
    }[];
    expect(retried[0]).toMatchObject({ success: true, created: false });
    expect(keyed('plan-task-1')).toHaveLength(1);
  });

  it('single-record upserts (PATCH sobjects/Task/field/value): the second fails with HTTP 400 DUPLICATE_VALUE', async () => {
    const held = org.holdUpserts();
    const upsert = (subject: string) =>
      conn.sobject('Task').upsert({ [FIELD]: 'plan-task-2', Subject: subject, WhatId: opp.acme } as never, FIELD);
    const outcomes = Promise.allSettled([upsert('a'), upsert('b')]);
    await untilHeld(held, 2);
    held.release();
    const [x, y] = await outcomes;
    const rejected = [x, y].filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ errorCode: 'DUPLICATE_VALUE' });
    expect(toSalesforceError(rejected[0]!.reason).kind).toBe('retryable');
    expect(keyed('plan-task-2')).toHaveLength(1);
  });

  it('upserts of an existing key never collide', async () => {
    await conn.sobject('Task').upsert({ [FIELD]: 'plan-task-3', Subject: 'v1', WhatId: opp.acme } as never, FIELD);
    const held = org.holdUpserts();
    const both = Promise.all(
      ['v2', 'v3'].map((s) => conn.sobject('Task').upsert({ [FIELD]: 'plan-task-3', Subject: s, WhatId: opp.acme } as never, FIELD)),
    );
    await untilHeld(held, 2);
    held.release();
    expect((await both).every((r) => (r as unknown as { success: boolean }).success)).toBe(true);
    expect(keyed('plan-task-3')).toHaveLength(1);
  });
});

describe('fault classes beyond Salesforce JSON errors', () => {
  it('an HTML error page with Retry-After: jsforce reports ERROR_HTTP_<status>, the header reaches the service', async () => {
    const service = await connectSalesforce({ mode: 'token', instanceUrl: org.url, accessToken: 'x', apiVersion: '62.0' });
    org.injectFault({ count: 1, errorCode: 'SERVER_UNAVAILABLE', status: 503, body: 'html', retryAfter: 30 });
    const err = await failureOf(service.sobject('Task').create({ Subject: 'x', WhatId: opp.acme } as never));
    expect(err.errorCode).toBe('ERROR_HTTP_503');
    expect(toSalesforceError(err)).toMatchObject({ kind: 'retryable', status: 503, retryAfterMs: 30_000 });
  });

  it('a reset closes the connection before the write is applied', async () => {
    const before = org.records('Task').length;
    org.injectFault({ count: 1, errorCode: 'ECONNRESET', mode: 'reset' });
    const err = await failureOf(conn.sobject('Task').create({ Subject: 'never', WhatId: opp.acme } as never));
    expect(toSalesforceError(err).kind).toBe('retryable');
    expect(org.records('Task')).toHaveLength(before);
  });

  it('a timeout applies the write and never answers; the client gives up', async () => {
    const service = await connectSalesforce({ mode: 'token', instanceUrl: org.url, accessToken: 'x', apiVersion: '62.0' }, undefined, {
      timeoutMs: 200,
    });
    const before = org.records('Task').length;
    org.injectFault({ count: 1, errorCode: 'TIMEOUT', mode: 'timeout' });
    const err = await failureOf(service.sobject('Task').create({ Subject: 'applied', WhatId: opp.acme } as never));
    expect(toSalesforceError(err)).toMatchObject({ code: 'TIMEOUT', kind: 'retryable' });
    expect(org.records('Task')).toHaveLength(before + 1);
  });
});
