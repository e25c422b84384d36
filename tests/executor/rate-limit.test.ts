import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor } from '../../service/src/executor/index.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { DEMO_IDS } from '../../dev/demo-seed/index.ts';
import { insertAiTasks, seedPlan, statusOf } from '../../testkit/executor/fixtures.ts';
import { operationsOf } from '../../testkit/salesforce-calls.ts';

const ACME = DEMO_IDS.opportunities.acme;

/** REQUEST_LIMIT_EXCEEDED pauses Salesforce writes: AI tasks wait for the end of the pause, their attempts intact. */
describe('AI tasks during a Salesforce write pause', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.close());

  it('defers due tasks to after the pause without spending an attempt, claims nothing meanwhile, then runs each once', async () => {
    const plan = await seedPlan(h.sql, { opportunityId: ACME });
    const ids = await insertAiTasks(
      h.sql,
      plan,
      [1, 2, 3].map((n) => ({
        processor: 'crm-opportunity-updater',
        metadata: { fields: { NextStep: `Step ${n}`, Description: null, Probability: null } },
      })),
      ACME,
    );
    const executor = createExecutor(h.deps, { options: { retryDelayMs: 0, batchSize: 10, maxAttempts: 3 } });
    // The org's allowance is spent: every write fails until it resets.
    h.org.injectFault({ count: 100, errorCode: 'REQUEST_LIMIT_EXCEEDED', status: 403 });

    const first = await executor.runOnce();
    expect(first.map((o) => o.status)).toEqual(['queued', 'queued', 'queued']);
    for (const id of ids) {
      const row = await statusOf(h.sql, id);
      expect(row).toMatchObject({ executionStatus: 'queued', attempts: 0 });
      expect(row.executionResult).toMatchObject({ deferred: true, code: 'REQUEST_LIMIT_EXCEEDED' });
      // Due when the 15-minute pause ends, not after the executor's own retry delay (0 here).
      expect(row.runAfter.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    }
    // Three rounds while paused: nothing is claimed, nothing is sent, no attempt spent, nothing failed.
    h.org.resetRequests();
    await h.sql`UPDATE workflow_tasks SET run_after = now() WHERE id IN ${h.sql(ids)}`;
    for (let i = 0; i < 3; i++) expect(await executor.runOnce()).toEqual([]);
    expect(h.org.requests).toHaveLength(0);
    expect((await Promise.all(ids.map((id) => statusOf(h.sql, id)))).map((r) => [r.executionStatus, r.attempts])).toEqual(
      ids.map(() => ['queued', 0]),
    );
    expect(await h.sql`SELECT 1 FROM notifications WHERE kind = 'ai-task-failed'`).toHaveLength(0);

    h.org.clearFaults();
    h.passSalesforcePause();
    const after = await executor.runOnce();
    expect(after.map((o) => o.status)).toEqual(['success', 'success', 'success']);
    for (const id of ids) expect(await statusOf(h.sql, id)).toMatchObject({ executionStatus: 'success', attempts: 1 });
    // The three updates may share one composite request: count operations, not requests.
    const writes = operationsOf(h.org.requests).filter((o) => o.method === 'PATCH' && o.path.includes(`/sobjects/Opportunity/${ACME}`));
    expect(writes).toHaveLength(3);
    expect(await h.sql`SELECT 1 FROM notifications WHERE kind = 'ai-task-succeeded'`).toHaveLength(3);
  });

  it('a 429 with Retry-After is a failed attempt retried no sooner than Salesforce asked', async () => {
    const plan = await seedPlan(h.sql, { opportunityId: ACME });
    const [id] = await insertAiTasks(
      h.sql,
      plan,
      [{ processor: 'crm-opportunity-updater', metadata: { fields: { NextStep: 'Later', Description: null, Probability: null } } }],
      ACME,
    );
    const executor = createExecutor(h.deps, { options: { retryDelayMs: 0 } });
    h.org.injectFault({ count: 1, errorCode: 'ERROR_HTTP_429', status: 429, body: 'html', retryAfter: 120 });
    expect((await executor.runOnce()).map((o) => o.status)).toEqual(['queued']);
    const row = await statusOf(h.sql, id!);
    expect(row).toMatchObject({ executionStatus: 'queued', attempts: 1 });
    expect(row.runAfter.getTime() - Date.now()).toBeGreaterThan(110_000);
  });
});
