import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finalizePlan } from '../../service/src/db/finalize.ts';
import { tasksToMirror } from '../../service/src/db/mirror-queue.ts';
import { DEFAULT_RETRY } from '../../service/src/salesforce/retry.ts';
import { mirrorPendingTasks, mirrorTaskOf } from '../../service/src/sync/mirror/mirror.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { salesforceWrites } from '../../testkit/salesforce-calls.ts';

/** Mirroring plan tasks to Salesforce under faults: retries, per-record failures, crashes. */
describe('Salesforce task mirror', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.close());

  const mirrored = () => h.org.records('Task').filter((t) => t.Action_Plan_Task_Id__c);

  async function draft() {
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    const executionId = start.body.execution.id;
    const gen = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    return { executionId, plan: gen.body.plan };
  }

  it('retries a request failing with UNABLE_TO_LOCK_ROW and creates each Task once', async () => {
    const { executionId, plan } = await draft();
    h.org.injectFault({ count: 2, errorCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record' });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, { planId: plan.id });
    expect(res.status).toBe(200);
    const n = plan.aiTasks.length + plan.csmTasks.length;
    expect(res.body.plan.mirror).toEqual({ synced: n, pending: 0, failed: 0, stuck: [] });
    expect(mirrored()).toHaveLength(n);
    expect(new Set(mirrored().map((t) => t.Action_Plan_Task_Id__c)).size).toBe(n);
  });

  it('treats a 200 response with per-record failures as failures, retrying the retryable ones', async () => {
    const { executionId, plan } = await draft();
    h.org.injectFault({ count: 1, errorCode: 'UNABLE_TO_LOCK_ROW', mode: 'per-record' });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, { planId: plan.id });
    const n = plan.aiTasks.length + plan.csmTasks.length;
    expect(res.body.plan.mirror.synced).toBe(n);
    expect(mirrored()).toHaveLength(n);
  });

  it('marks tasks failed, with the reason, on a permanent per-record error', async () => {
    const { executionId, plan } = await draft();
    h.org.injectFault({
      count: 1,
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Subject is blocked by a validation rule',
      mode: 'per-record',
    });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, { planId: plan.id });
    expect(res.status).toBe(200);
    const n = plan.aiTasks.length + plan.csmTasks.length;
    expect(res.body.plan.mirror).toMatchObject({ synced: 0, pending: 0, failed: n });
    // Given up: the card names each task and Salesforce's reason, with no retry time.
    expect(res.body.plan.mirror.stuck).toHaveLength(n);
    expect(res.body.plan.mirror.stuck[0]).toMatchObject({
      reason: expect.stringMatching(/^FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject is blocked/),
      retryAt: null,
      rejected: true,
    });
    const rows = await h.sql`SELECT mirror_status, mirror_error FROM workflow_tasks WHERE parent_task_id IS NULL`;
    expect(
      rows.every((r) => r.mirror_status === 'failed' && /FIELD_CUSTOM_VALIDATION_EXCEPTION: .*validation rule/.test(r.mirror_error)),
    ).toBe(true);
    expect(mirrored()).toHaveLength(0);
    const notes = await h.sql`SELECT title, body FROM notifications WHERE kind = 'mirror-failed'`;
    expect(notes).toHaveLength(n);
    expect(notes[0]!.body).toMatch(/FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject is blocked/);
  });

  it('keeps tasks pending while Salesforce is unavailable, and the next sweep mirrors them', async () => {
    const { executionId, plan } = await draft();
    // Every attempt of the finalize's mirror fails; the sweep afterwards finds Salesforce back.
    h.org.injectFault({ count: DEFAULT_RETRY.attempts, errorCode: 'SERVER_UNAVAILABLE', status: 503 });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, { planId: plan.id });
    expect(res.status).toBe(200);
    expect(res.body.plan.status).toBe('finalized');
    const n = plan.aiTasks.length + plan.csmTasks.length;
    expect(res.body.plan.mirror.pending).toBe(n);
    // A failed attempt alone is not stuck: the backoff retries it, and the card says nothing yet.
    expect(res.body.plan.mirror.stuck).toEqual([]);
    // Once the wait passes MIRROR_STUCK_AFTER_MINUTES, the card says why, and when the backoff retries each task.
    await h.sql`UPDATE workflow_tasks SET mirror_pending_since = now() - interval '2 hours' WHERE mirror_status = 'pending'`;
    const later = await h.api('GET', `/api/workflows/executions/${executionId}/action-plan`);
    const stuck = later.body.plan.mirror.stuck;
    expect(stuck).toHaveLength(n);
    expect(stuck[0]).toMatchObject({ reason: expect.stringMatching(/SERVER_UNAVAILABLE/), rejected: false });
    const [row] = await h.sql<{ retryAt: Date }[]>`SELECT mirror_retry_at AS "retryAt" FROM workflow_tasks WHERE id = ${stuck[0].taskId}`;
    expect(stuck[0].retryAt).toBe(row!.retryAt.toISOString());
    const report = await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect(report).toEqual({ synced: n, failed: 0, pending: 0 });
    expect(mirrored()).toHaveLength(n);
  });

  it('completes the mirror after a crash between the database commit and the mirror, without duplicates', async () => {
    const { executionId, plan } = await draft();
    const row = (await h.sql`SELECT content, context FROM action_plans WHERE id = ${plan.id}`)[0]!;
    // The process "crashes" right after the commit: finalize in the database only.
    const outcome = await finalizePlan(h.sql, {
      planId: plan.id,
      executionId,
      userId: h.users['Jordan Lee']!,
      content: row.content,
      edits: null,
      opportunityId: h.discoveryId,
      csmUserId: h.users['Jordan Lee']!,
      today: '2026-11-25',
    });
    expect(outcome.kind).toBe('finalized');
    expect(mirrored()).toHaveLength(0);
    const pending = await tasksToMirror(h.sql, {});
    // Worse: half the records reached Salesforce before the crash, but the database never learned their ids.
    const half = pending.slice(0, Math.ceil(pending.length / 2));
    await h.deps.salesforce.mirror(half.map((t) => mirrorTaskOf(t, [])));
    expect(mirrored()).toHaveLength(half.length);

    const report = await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect(report.synced).toBe(pending.length);
    expect(mirrored()).toHaveLength(pending.length);
    await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect(mirrored()).toHaveLength(pending.length);
    const synced =
      await h.sql`SELECT count(*)::int AS n FROM workflow_tasks WHERE mirror_status = 'synced' AND salesforce_task_id IS NOT NULL`;
    expect(synced[0]!.n).toBe(pending.length);
  });

  it('two instances mirroring the same new tasks at once: the DUPLICATE_VALUE loser retries and updates, one Task each', async () => {
    const { executionId, plan } = await draft();
    const row = (await h.sql`SELECT content FROM action_plans WHERE id = ${plan.id}`)[0]!;
    await finalizePlan(h.sql, {
      planId: plan.id,
      executionId,
      userId: h.users['Jordan Lee']!,
      content: row.content,
      edits: null,
      opportunityId: h.discoveryId,
      csmUserId: h.users['Jordan Lee']!,
      today: '2026-11-25',
    });
    const n = (await tasksToMirror(h.sql, {})).length;
    // Both upserts look the keys up before either commits, as two service instances would in a real org.
    const held = h.org.holdUpserts();
    const both = Promise.all([1, 2].map(() => mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log)));
    for (let i = 0; i < 1000 && held.waiting() < 2; i++) await new Promise((r) => setTimeout(r, 1));
    expect(held.waiting()).toBe(2);
    held.release();
    const reports = await both;
    expect(reports).toEqual([
      { synced: n, failed: 0, pending: 0 },
      { synced: n, failed: 0, pending: 0 },
    ]);
    const upserts = h.org.requests.filter((r) => r.path.endsWith('/composite/sobjects/Task/Action_Plan_Task_Id__c'));
    expect(upserts).toHaveLength(3);
    expect(mirrored()).toHaveLength(n);
    expect(new Set(mirrored().map((t) => t.Action_Plan_Task_Id__c)).size).toBe(n);
  });

  it('mirrors n tasks in ceil(n/200) Salesforce calls', async () => {
    const { executionId, plan } = await draft();
    const row = (await h.sql`SELECT content, context FROM action_plans WHERE id = ${plan.id}`)[0]!;
    const template = row.content.csmTasks[0];
    const content = {
      ...row.content,
      aiTasks: [],
      csmTasks: Array.from({ length: 450 }, (_, i) => ({ ...template, key: `bulk-${i}`, subTasks: [] })),
    };
    await finalizePlan(h.sql, {
      planId: plan.id,
      executionId,
      userId: h.users['Jordan Lee']!,
      content,
      edits: null,
      opportunityId: h.discoveryId,
      csmUserId: h.users['Jordan Lee']!,
      today: '2026-11-25',
    });
    h.org.resetRequests();
    const report = await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect(report.synced).toBe(450);
    const calls = h.org.requests.filter((r) => r.path.includes('/composite/sobjects/Task/Action_Plan_Task_Id__c'));
    expect(calls).toHaveLength(3);
    expect(h.org.requests).toHaveLength(3);
    expect(mirrored()).toHaveLength(450);
  });

  it('pauses writes after REQUEST_LIMIT_EXCEEDED', async () => {
    const { executionId, plan } = await draft();
    h.org.injectFault({ count: 1, errorCode: 'REQUEST_LIMIT_EXCEEDED', status: 403, message: 'TotalRequests Limit exceeded.' });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, { planId: plan.id });
    expect(res.status).toBe(200);
    expect(res.body.plan.mirror.synced).toBe(0);
    h.org.resetRequests();
    const report = await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect(report.synced).toBe(0);
    expect(salesforceWrites(h.org.requests)).toHaveLength(0);
    const [row] = await h.sql`SELECT mirror_error FROM workflow_tasks WHERE parent_task_id IS NULL LIMIT 1`;
    expect(row!.mirror_error).toMatch(/REQUEST_LIMIT_EXCEEDED/);
  });

  it('keeps a change made during a mirror pending for the next run', async () => {
    const { executionId, plan } = await draft();
    await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, { planId: plan.id });
    const task = (await h.sql`SELECT id FROM workflow_tasks WHERE owner = 'CSM' AND parent_task_id IS NULL LIMIT 1`)[0]!;
    const before = await tasksToMirror(h.sql, { taskIds: [task.id] });
    expect(before).toHaveLength(0);
    await h.sql`UPDATE workflow_tasks SET mirror_status = 'pending', action = 'Changed', updated_at = now() WHERE id = ${task.id}`;
    const stale = await tasksToMirror(h.sql, { taskIds: [task.id] });
    await h.sql`UPDATE workflow_tasks SET action = 'Changed again', updated_at = now() + interval '1 second' WHERE id = ${task.id}`;
    // Record the outcome of a mirror that read the row before the second change.
    const { recordMirrorResults } = await import('../../service/src/db/mirror-queue.ts');
    await recordMirrorResults(h.sql, [{ taskId: task.id, salesforceTaskId: '00T000000000000AAA', readAt: stale[0]!.updatedAt }]);
    const [row] = await h.sql`SELECT mirror_status FROM workflow_tasks WHERE id = ${task.id}`;
    expect(row!.mirror_status).toBe('pending');
  });
});
