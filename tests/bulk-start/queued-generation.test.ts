import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planGenerationRequest } from '../../service/src/db/plan-generation-queue.ts';
import { serviceSchedules } from '../../service/src/schedules/schedules.ts';
import { generateQueuedPlans } from '../../service/src/workflows/queued-generation.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { bulkSeed, renewalId } from './seed.ts';

const BULK = '/api/workflows/executions/bulk';

describe('bulk start with generate: true', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      seed: bulkSeed(6),
      env: { PLAN_GENERATE_LIMIT_BULK: '3', PLAN_GENERATE_LIMIT_PER_USER: '3', PLAN_GENERATION_BATCH: '10' },
    });
  });
  afterEach(() => h.close());

  const ids = Array.from({ length: 5 }, (_, i) => renewalId(i + 1));
  const drafts = async () =>
    (
      await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM action_plans p JOIN workflow_executions e ON e.id = p.execution_id
      WHERE e.opportunity_id = ANY(${ids}) AND p.status = 'draft'`
    )[0]!.n;

  it('queues the drafts instead of generating them in the request; the schedule generates them as the user who asked', async () => {
    const res = await h.api('POST', BULK, { opportunityIds: ids, generate: true });
    expect(res.status).toBe(200);
    expect(res.body.results.every((r: { generation?: string }) => r.generation === 'queued')).toBe(true);
    expect(await drafts()).toBe(0);

    // The org's bulk budget (3 per window) holds for queued generations: two wait for the Retry-After, costing no attempt.
    expect(await generateQueuedPlans(h.deps)).toEqual({ generated: 3, deferred: 2, failed: 0 });
    expect(await drafts()).toBe(3);
    const waiting = await Promise.all(res.body.results.map((r: { executionId: string }) => planGenerationRequest(h.sql, r.executionId)));
    expect(waiting.filter((w) => w!.status === 'queued')).toEqual([
      expect.objectContaining({ attempts: 0, lastError: expect.stringContaining('Too many plan generations') }),
      expect.objectContaining({ attempts: 0 }),
    ]);
    // Nothing is due before the Retry-After.
    expect(await generateQueuedPlans(h.deps)).toEqual({ generated: 0, deferred: 0, failed: 0 });

    // The CSM opening the record finds the draft waiting.
    const done = res.body.results.find((_: unknown, i: number) => waiting[i]!.status === 'done');
    const plan = await h.api('GET', `/api/workflows/executions/${done.executionId}/action-plan`);
    expect(plan.status).toBe(200);
    expect(plan.body.plan).toMatchObject({ status: 'draft' });
  });

  it("never spends the CSM's own budget: after the queued drafts, the CSM's clicks still generate", async () => {
    // Five queued drafts for the CSM, three generated (the bulk budget), two waiting; the CSM's budget is also 3.
    const res = await h.api('POST', BULK, { opportunityIds: ids, generate: true });
    expect(await generateQueuedPlans(h.deps)).toEqual({ generated: 3, deferred: 2, failed: 0 });
    const own = await h.api('POST', '/api/workflows/executions', { opportunityId: renewalId(6) });
    for (let click = 1; click <= 3; click++) {
      const generated = await h.api('POST', `/api/workflows/executions/${own.body.execution.id}/action-plan/generate`);
      expect(generated.status, generated.text).toBe(201);
    }
    // The CSM's fourth click is over the CSM's own budget; the bulk drafts still wait for theirs, not for the CSM's.
    const fourth = await h.api('POST', `/api/workflows/executions/${own.body.execution.id}/action-plan/generate`);
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.message).toContain('3 plan generations per user');
    const waiting = await h.sql`SELECT last_error FROM plan_generation_requests WHERE status = 'queued'`;
    expect(waiting.some((w) => String(w.last_error).includes('3 bulk-queued plan generations'))).toBe(true);
    expect(res.status).toBe(200);
  });

  it('queues nothing twice, and nothing for an execution that already has a plan', async () => {
    const first = await h.api('POST', BULK, { opportunityIds: ids.slice(0, 2), generate: true });
    await generateQueuedPlans(h.deps);
    const again = await h.api('POST', BULK, { opportunityIds: ids.slice(0, 3), generate: true });
    expect(
      again.body.results.map((r: { outcome: string; generation?: string; planId?: string }) => [r.outcome, r.generation, !!r.planId]),
    ).toEqual([
      ['already_running', undefined, true],
      ['already_running', undefined, true],
      ['created', 'queued', false],
    ]);
    expect(again.body.results[0].planId).toBe((await planGenerationRequest(h.sql, first.body.results[0].executionId))!.planId);
    const rows = await h.sql`SELECT 1 FROM plan_generation_requests`;
    expect(rows).toHaveLength(3);
  });

  it('is done with nothing generated when the CSM generated a plan meanwhile', async () => {
    const res = await h.api('POST', BULK, { opportunityIds: ids.slice(0, 1), generate: true });
    const executionId = res.body.results[0].executionId;
    const own = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    expect(own.status).toBe(201);
    expect(await generateQueuedPlans(h.deps)).toEqual({ generated: 0, deferred: 0, failed: 0 });
    expect(await planGenerationRequest(h.sql, executionId)).toMatchObject({ status: 'done', planId: own.body.plan.id });
  });

  it('retries a failing generation with backoff, then leaves it failed', async () => {
    const res = await h.api('POST', BULK, { opportunityIds: ids.slice(0, 1), generate: true });
    const executionId = res.body.results[0].executionId;
    // Salesforce refuses every read: the generation cannot load its context.
    h.org.injectFault({ count: 1000, status: 400, errorCode: 'INVALID_FIELD', message: 'refused', methods: ['GET', 'POST'] });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      await h.sql`UPDATE plan_generation_requests SET run_after = ${h.deps.now()} WHERE execution_id = ${executionId}`;
      runs.push(await generateQueuedPlans(h.deps));
    }
    h.org.clearFaults();
    expect(runs).toEqual([
      { generated: 0, deferred: 1, failed: 0 },
      { generated: 0, deferred: 1, failed: 0 },
      { generated: 0, deferred: 0, failed: 1 },
    ]);
    expect(await planGenerationRequest(h.sql, executionId)).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('runs as the plan-generation schedule', () => {
    expect(serviceSchedules(h.deps.env).find((d) => d.name === 'plan-generation')).toMatchObject({
      cron: '* * * * *',
      run: generateQueuedPlans,
    });
  });
});
