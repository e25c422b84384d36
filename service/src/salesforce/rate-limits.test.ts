// The two limits behind REQUEST_LIMIT_EXCEEDED (issue 23), with errors jsforce itself throws: the org emulator (not
// Salesforce) answers them through its fault injector, with the messages Salesforce sends —
//  - "ConcurrentPerOrgLongTxn Limit exceeded" / "ConcurrentRequests (Concurrent API Requests) Limit exceeded": the
//    concurrent long-running request limit, which clears in seconds (Salesforce Help 000389067; the REST API's
//    REQUEST_LIMIT_EXCEEDED, HTTP 403, as integrations report it);
//  - "TotalRequests Limit exceeded.": the daily API allowance (SalesforceLabs/OrgCheck#181, jetstreamapp/jetstream#868),
//    which recovers only as the rolling 24 hours move on: the Sforce-Limit-Info header and /limits say when.
import type { Connection } from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OrgEmulator } from '../../../dev/org-emulator/index.ts';
import { DEMO_IDS, startDemoOrg } from '../../../dev/demo-seed/index.ts';
import { apiUsageReader } from './api-usage.ts';
import { connectSalesforce } from './connection.ts';
import { toSalesforceError } from './errors.ts';
import { retryDelayMs, withRetry, WriteGate, DEFAULT_RETRY } from './retry.ts';

const CONCURRENT_MESSAGES = ['ConcurrentPerOrgLongTxn Limit exceeded', 'ConcurrentRequests (Concurrent API Requests) Limit exceeded'];
const DAILY_MESSAGE = 'TotalRequests Limit exceeded.';
const API_LIMIT = 15000;

describe('REQUEST_LIMIT_EXCEEDED: concurrent requests back off in seconds, the daily allowance pauses writes', () => {
  let org: OrgEmulator;
  let conn: Connection;

  beforeAll(async () => {
    org = await startDemoOrg({ accessToken: 'rate-limit-token' });
    conn = await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: org.url, accessToken: 'rate-limit-token' });
  });
  afterAll(() => org.close());
  afterEach(() => {
    org.clearFaults();
    org.setApiUsage(0);
  });

  const createTask = () => conn.sobject('Task').create({ Subject: 'rate limit probe', WhatId: DEMO_IDS.opportunities.acme } as never);
  const thrown = async (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('expected a failure'),
      (e: unknown) => e,
    );

  it('classifies the concurrent limit as retryable and the daily one as rate limited, from the message jsforce carries', async () => {
    for (const message of CONCURRENT_MESSAGES) {
      org.injectFault({ count: 1, errorCode: 'REQUEST_LIMIT_EXCEEDED', message });
      const err = toSalesforceError(await thrown(createTask()));
      expect(err).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED', kind: 'retryable', status: 403 });
      expect(err.limit).toBe('concurrent');
    }
    org.injectFault({ count: 1, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: DAILY_MESSAGE });
    const daily = toSalesforceError(await thrown(createTask()));
    expect(daily).toMatchObject({ kind: 'rate_limited', status: 403 });
    expect(daily.limit).toBe('daily');
  });

  it('retries the concurrent limit after seconds with jitter, and does not pause other writers', async () => {
    org.injectFault({ count: 2, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: CONCURRENT_MESSAGES[0] });
    const waits: number[] = [];
    const now = 0;
    const gate = new WriteGate(15 * 60_000, () => now);
    const randoms = [0, 1];
    const result = await withRetry(createTask, {
      policy: DEFAULT_RETRY,
      gate,
      sleep: async (ms) => void waits.push(ms),
      random: () => randoms.shift() ?? 0.5,
    });
    expect(result).toMatchObject({ success: true });
    // Equal jitter over 2 s, then 4 s: the first wait is 1–2 s (here its least), the second 2–4 s (here its most).
    expect(waits).toEqual([1_000, 4_000]);
    expect(gate.remainingMs()).toBe(0);
    expect(org.records('Task').filter((t) => t.Subject === 'rate limit probe').length).toBeGreaterThan(0);
  });

  it('spreads the concurrent-limit waits between half and all of each step, capped at 20 s', async () => {
    org.injectFault({ count: 1, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: CONCURRENT_MESSAGES[1] });
    const err = toSalesforceError(await thrown(createTask()));
    const policy = { attempts: 8, baseDelayMs: 250, maxDelayMs: 5_000 };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(err, attempt, policy, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(err, attempt, policy, () => 1))).toEqual([2_000, 4_000, 8_000, 16_000, 20_000]);
  });

  it('pauses writes on the daily limit, and resumes only once /limits shows allowance left', async () => {
    let now = 0;
    const gate = new WriteGate(15 * 60_000, () => now, apiUsageReader(conn));
    // The allowance is spent: the refusal's own Sforce-Limit-Info header says so too.
    org.setApiUsage(API_LIMIT);
    org.injectFault({ count: 1, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: DAILY_MESSAGE });
    const sleeps: number[] = [];
    await expect(withRetry(createTask, { gate, sleep: async (ms) => void sleeps.push(ms) })).rejects.toMatchObject({
      kind: 'rate_limited',
    });
    expect(sleeps).toEqual([]);
    expect(gate.remainingMs()).toBe(15 * 60_000);

    // The pause is over but the org's allowance is still spent: the gate reads it and pauses again, writing nothing.
    org.setApiUsage(API_LIMIT + 10);
    now += 15 * 60_000;
    org.resetRequests();
    await expect(withRetry(createTask, { gate })).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 15 * 60_000 });
    expect(org.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /services/data/v62.0/limits']);

    // The rolling 24 hours moved on: allowance is back, and the write goes through.
    org.setApiUsage(100);
    now += 15 * 60_000;
    org.resetRequests();
    await expect(withRetry(createTask, { gate })).resolves.toMatchObject({ success: true });
    expect(org.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /services/data/v62.0/limits',
      'POST /services/data/v62.0/sobjects/Task',
    ]);
    // Open again: the next write reads nothing first.
    org.resetRequests();
    await withRetry(createTask, { gate });
    expect(org.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('takes a newer Sforce-Limit-Info header showing allowance left instead of calling /limits', async () => {
    let now = 0;
    const gate = new WriteGate(60_000, () => now, apiUsageReader(conn));
    org.setApiUsage(API_LIMIT);
    org.injectFault({ count: 1, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: DAILY_MESSAGE });
    await expect(withRetry(createTask, { gate })).rejects.toMatchObject({ kind: 'rate_limited' });
    // A read (not gated) answers with the header: api-usage well under the limit.
    org.setApiUsage(500);
    await conn.query('SELECT Id FROM Opportunity LIMIT 1');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 501, limit: API_LIMIT } });
    now += 60_000;
    org.resetRequests();
    await expect(withRetry(createTask, { gate })).resolves.toMatchObject({ success: true });
    expect(org.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('shares one allowance read among writers that arrive together after the pause', async () => {
    let now = 0;
    const gate = new WriteGate(60_000, () => now, apiUsageReader(conn));
    gate.pause();
    now += 60_000;
    org.resetRequests();
    await Promise.all([gate.check(), gate.check(), gate.check()]);
    expect(org.requests.filter((r) => r.path.endsWith('/limits'))).toHaveLength(1);
  });
});
