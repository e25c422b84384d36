import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { query, updateRecord, upsertTask } from '../../service/src/salesforce/records.ts';
import { startSalesforceSync } from '../../service/src/sync/loop.ts';
import { SalesforceError } from '../../service/src/salesforce/errors.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { DEMO_IDS } from '../../dev/demo-seed/index.ts';

const ACME = DEMO_IDS.opportunities.acme;

/** The processors' Salesforce calls share Composite API requests; the completion sync runs in one instance at a time. */
describe('Salesforce API calls', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());
  beforeEach(() => h.org.resetRequests());

  it('sends concurrent reads and writes as one composite request, each caller getting its own answer', async () => {
    const sf = h.deps.salesforce;
    const [opps, , taskId] = await Promise.all([
      query<{ Id: string }>(sf, `SELECT Id FROM Opportunity WHERE Id = '${ACME}'`),
      updateRecord(sf, 'Opportunity', { Id: ACME, NextStep: 'Send the renewal quote' }),
      upsertTask(sf, 'batch-test:audit', { WhatId: ACME, Subject: 'Audit', Status: 'Completed' }),
    ]);
    expect(h.org.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /services/data/v62.0/composite']);
    expect(opps.map((o) => o.Id)).toEqual([ACME]);
    expect(h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === 'batch-test:audit')?.Id).toBe(taskId);
    expect(h.org.records('Opportunity').find((o) => o.Id === ACME)?.NextStep).toBe('Send the renewal quote');
  });

  it('fails only the subrequest that failed, classified like a collection record', async () => {
    const sf = h.deps.salesforce;
    const [bad, good] = await Promise.allSettled([
      updateRecord(sf, 'Opportunity', { Id: ACME, NoSuchField__c: 1 }),
      upsertTask(sf, 'batch-test:second', { WhatId: ACME, Subject: 'Second' }),
    ]);
    expect(h.org.requests).toHaveLength(1);
    expect(good.status).toBe('fulfilled');
    const error = (bad as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(SalesforceError);
    expect(error).toMatchObject({ code: 'INVALID_FIELD', kind: 'permanent' });
  });

  it('retries a subrequest that met a row lock, in a later request', async () => {
    h.org.injectFault({ count: 1, errorCode: 'UNABLE_TO_LOCK_ROW', methods: ['PATCH'], pathContains: '/sobjects/Opportunity/' });
    await Promise.all([
      updateRecord(h.deps.salesforce, 'Opportunity', { Id: ACME, NextStep: 'Retry' }),
      upsertTask(h.deps.salesforce, 'batch-test:third', { WhatId: ACME, Subject: 'Third' }),
    ]);
    // The first composite carried both; the retried update went alone, as a plain PATCH.
    expect(h.org.requests.map((r) => `${r.method} ${r.path.split('/').slice(4, 6).join('/')}`)).toEqual([
      'POST composite',
      'PATCH sobjects/Opportunity',
    ]);
    expect(h.org.records('Opportunity').find((o) => o.Id === ACME)?.NextStep).toBe('Retry');
  });

  it('runs the completion sync in one of two instances at a time, and in the other once the first stops', async () => {
    const a = startSalesforceSync(h.deps, 3_600_000, { runAtStart: false });
    const b = startSalesforceSync(h.deps, 3_600_000, { runAtStart: false });
    for (let i = 0; i < 2; i++) await Promise.all([a.runOnce(), b.runOnce()]);
    const queries = () => h.org.requests.filter((r) => r.soql?.includes('Action_Plan_Task_Id__c')).length;
    expect(queries()).toBe(2);
    await a.stop();
    await b.runOnce();
    expect(queries()).toBe(3);
    await b.stop();
  });
});
