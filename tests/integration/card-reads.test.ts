// The card reads before it writes (issue 23): opening an opportunity GETs its execution; only the explicit start
// creates one. Through the real jsforce client against the org emulator and the real PostgreSQL server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { operationsOf, salesforceWrites } from '../../testkit/salesforce-calls.ts';

describe('GET /api/workflows/executions?opportunityId= (what the card calls on every view)', () => {
  let h: Harness;
  // The access check is cached as in production (ACCESS_CACHE_SECONDS), so a page's repeated views cost one call.
  beforeAll(async () => {
    h = await startHarness({ accessCacheMs: 30_000 });
  });
  afterAll(() => h.close());
  beforeEach(() => h.org.resetRequests());

  const view = (opportunityId: string, user?: string) =>
    h.api('GET', `/api/workflows/executions?opportunityId=${opportunityId}`, undefined, { user });
  const executionCount = async () => (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM workflow_executions`)[0]!.n;

  it('viewing an opportunity 10 times creates no execution and calls Salesforce only for the cached access check', async () => {
    const opportunityId = h.opportunities['Acme Logistics — FY27 Renewal']!;
    for (let i = 0; i < 10; i++) {
      const res = await view(opportunityId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ execution: null });
    }
    expect(await executionCount()).toBe(0);
    const ops = operationsOf(h.org.requests);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.soql).toMatch(/FROM UserRecordAccess/);
    expect(salesforceWrites(h.org.requests)).toEqual([]);
  });

  it('returns the execution the explicit start made, still without reading the CRM context', async () => {
    const opportunityId = h.opportunities['Acme Logistics — FY27 Renewal']!;
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId });
    expect(start.status).toBe(201);
    h.org.resetRequests();
    for (let i = 0; i < 10; i++) {
      const res = await view(opportunityId);
      expect(res.status).toBe(200);
      expect(res.body.execution.id).toBe(start.body.execution.id);
      expect(res.body.execution.currentPlanId).toBeNull();
    }
    expect(await executionCount()).toBe(1);
    // The access answer is still cached from the start: no call at all.
    expect(operationsOf(h.org.requests)).toEqual([]);
  });

  it('refuses a user who cannot edit the opportunity (403) and an unknown opportunity (404)', async () => {
    const opportunityId = h.opportunities['Acme Logistics — FY27 Renewal']!;
    const forbidden = await view(opportunityId, h.users['Morgan Diaz']);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const unknown = await view('006000000000000AAA');
    expect(unknown.status).toBe(404);
  });

  it('answers 400 in the one error shape for a missing or malformed opportunity id', async () => {
    for (const query of ['', '?opportunityId=nope']) {
      const res = await h.api('GET', `/api/workflows/executions${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBeDefined();
    }
  });
});
