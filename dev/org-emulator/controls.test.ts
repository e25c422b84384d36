// Local Salesforce org emulator (not Salesforce): fault injection, latency, API usage, request recording,
// and the test controls (in-process and over HTTP).

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, TODAY } from './test-support.ts';

const { opportunities: opp } = DEMO_IDS;

let org: OrgEmulator;
let conn: Connection;

beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

const twoTasks = () => [
  { Subject: 'One', WhatId: opp.acme },
  { Subject: 'Two', WhatId: opp.acme },
];
const countTasks = () => org.records('Task').length;

describe('fault injection', () => {
  it('per-record faults: the collection call resolves, every record fails, nothing is written', async () => {
    const before = countTasks();
    org.injectFault({ count: 1, errorCode: 'UNABLE_TO_LOCK_ROW', mode: 'per-record' });
    const results = await conn.sobject('Task').create(twoTasks());
    expect(results).toEqual([
      { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: expect.any(String), fields: [] }] },
      { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: expect.any(String), fields: [] }] },
    ]);
    expect(countTasks()).toBe(before);
    expect((await conn.sobject('Task').create(twoTasks())).every((r) => r.success)).toBe(true);
  });

  it('per-record faults apply to upserts and carry the given message', async () => {
    org.injectFault({ count: 1, errorCode: 'UNABLE_TO_LOCK_ROW', message: 'row locked by a flow', mode: 'per-record', methods: ['PATCH'] });
    const results = await conn.sobject('Task').upsert([{ Action_Plan_Task_Id__c: 'p:1', Subject: 'x' }], 'Action_Plan_Task_Id__c');
    expect(results[0]).toMatchObject({ success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'row locked by a flow' }] });
  });

  it('request faults: jsforce throws with the error code, for the next `count` writes only', async () => {
    org.injectFault({ count: 2, errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect((await conn.query('SELECT Id FROM Opportunity')).totalSize).toBe(4); // GET is not a default method
    for (let i = 0; i < 2; i++) {
      const err = await failureOf(conn.sobject('Task').create({ Subject: 'Blocked' }));
      expect(err.name).toBe('REQUEST_LIMIT_EXCEEDED');
      expect(err.message).toBe('TotalRequests Limit exceeded.');
    }
    expect(org.requests.filter((r) => r.status === 403)).toHaveLength(2);
    expect((await conn.sobject('Task').create({ Subject: 'Allowed' })).success).toBe(true);
  });

  it('SERVER_UNAVAILABLE answers 503; an explicit status and methods override the defaults', async () => {
    org.injectFault({ count: 1, errorCode: 'SERVER_UNAVAILABLE' });
    expect((await failureOf(conn.sobject('Task').create({ Subject: 'x' }))).name).toBe('SERVER_UNAVAILABLE');
    org.injectFault({ count: 1, errorCode: 'QUERY_TIMEOUT', status: 400, methods: ['GET'] });
    expect((await failureOf(conn.query('SELECT Id FROM Task'))).name).toBe('QUERY_TIMEOUT');
    expect(org.requests.map((r) => r.status)).toEqual([503, 400]);
  });
});

describe('latency, API usage and recording', () => {
  it('delays every API response by the configured latency', async () => {
    org.setLatency(150);
    const started = performance.now();
    await conn.query('SELECT Id FROM Account');
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    org.setLatency(0);
  });

  it('reports API usage in Sforce-Limit-Info on every response', async () => {
    await conn.query('SELECT Id FROM Account');
    await conn.query('SELECT Id FROM Contact');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 2, limit: 15000 } });
    const unauthorized = await fetch(`${org.url}/services/data/v62.0/query?q=SELECT+Id+FROM+Account`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('sforce-limit-info')).toBe('api-usage=2/15000');
    const missing = await fetch(`${org.url}/services/data/v62.0/nothing-here`, { headers: { Authorization: 'Bearer t' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('sforce-limit-info')).toBe('api-usage=3/15000');
  });

  it('records method, path, SOQL, body and status of every API request', async () => {
    await conn.query(`SELECT Id FROM Opportunity WHERE Id = '${opp.acme}'`);
    await conn.sobject('Task').create([{ Subject: 'Recorded' }]);
    await failureOf(conn.sobject('Task').create({ Subject: 'Bad', Status: 'Nope' }));
    expect(org.requests).toMatchObject([
      { method: 'GET', path: '/services/data/v62.0/query', soql: `SELECT Id FROM Opportunity WHERE Id = '${opp.acme}'`, status: 200 },
      {
        method: 'POST',
        path: '/services/data/v62.0/composite/sobjects',
        body: { allOrNone: false, records: [{ attributes: { type: 'Task' }, Subject: 'Recorded' }] },
        status: 200,
      },
      { method: 'POST', path: '/services/data/v62.0/sobjects/Task', status: 400 },
    ]);
    expect(org.requests[0]!.at).toMatch(/^2026-11-25T/);
    org.resetRequests();
    expect(org.requests).toHaveLength(0);
  });
});

describe('record helpers', () => {
  it('updateRecord edits like a user: validated, LastModifiedDate moves forward', async () => {
    const [before] = org.records('Task').filter((t) => t.Id === '00T5e0000000003EAA');
    org.updateRecord('Task', '00T5e0000000003EAA', { Status: 'Completed' });
    const [after] = org.records('Task').filter((t) => t.Id === '00T5e0000000003EAA');
    expect(after).toMatchObject({ Status: 'Completed', IsClosed: true });
    expect(String(after!.LastModifiedDate) > String(before!.LastModifiedDate)).toBe(true);
    expect(after!.SystemModstamp).toBe(after!.LastModifiedDate);
    expect(() => org.updateRecord('Task', '00T5e0000000003EAA', { Status: 'Nope' })).toThrow(/restricted picklist/);
  });

  it('two quick edits still get increasing LastModifiedDate', async () => {
    const { id } = await conn.sobject('Task').create({ Subject: 'Written by the service' });
    const written = org.records('Task').find((t) => t.Id === id)!.LastModifiedDate;
    org.updateRecord('Task', id!, { Subject: 'Edited by the CSM' });
    const edited = org.records('Task').find((t) => t.Id === id)!.LastModifiedDate;
    expect(String(edited) > String(written)).toBe(true);
  });

  it('records() returns copies', () => {
    const [copy] = org.records('Opportunity');
    copy!.Name = 'Mutated';
    expect(org.records('Opportunity')[0]!.Name).not.toBe('Mutated');
  });
});

describe('HTTP controls for a standalone emulator', () => {
  const control = (path: string, init: RequestInit = {}) =>
    fetch(`${org.url}/__emulator/${path}`, { ...init, headers: { 'content-type': 'application/json' } });

  it('injects faults, sets latency and lists requests without a bearer token', async () => {
    const injected = await control('faults', { method: 'POST', body: JSON.stringify({ count: 1, errorCode: 'UNABLE_TO_LOCK_ROW' }) });
    expect(injected.status).toBe(204);
    expect((await failureOf(conn.sobject('Task').create({ Subject: 'x' }))).name).toBe('UNABLE_TO_LOCK_ROW');
    expect((await control('latency', { method: 'POST', body: JSON.stringify({ ms: 120 }) })).status).toBe(204);
    const started = performance.now();
    await conn.query('SELECT Id FROM Account');
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    const requests = await (await control('requests')).json();
    expect(requests.map((r: { status: number }) => r.status)).toEqual([400, 200]);
    expect(requests).toHaveLength(org.requests.length); // control calls are not recorded
  });

  it('rejects a malformed fault', async () => {
    const response = await control('faults', { method: 'POST', body: JSON.stringify({ count: 0 }) });
    expect(response.status).toBe(400);
  });
});
