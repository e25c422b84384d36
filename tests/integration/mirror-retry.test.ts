import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordMirrorResults, tasksToMirror } from '../../service/src/db/mirror-queue.ts';
import { mirrorPendingTasks, reportStuckMirrorTasks } from '../../service/src/sync/mirror/mirror.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/** A task's copy to Salesforce is never abandoned: capped backoff for ever, and a stuck one is reported. */
describe('Salesforce mirror retries and stuck reports', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.close());

  const mirrored = (id: string) => h.org.records('Task').filter((t) => t.Action_Plan_Task_Id__c === id);
  const topLevel = async () =>
    (await h.sql<{ id: string }[]>`SELECT id FROM workflow_tasks WHERE parent_task_id IS NULL ORDER BY created_at, id`).map((r) => r.id);
  const state = async (id: string) =>
    (
      await h.sql<{ status: string; attempts: number; delayMs: number | null; error: string | null }[]>`
      SELECT mirror_status AS status, mirror_attempts AS attempts, mirror_error AS error,
             extract(epoch FROM mirror_retry_at - now())::float8 * 1000 AS "delayMs"
        FROM workflow_tasks WHERE id = ${id}`
    )[0]!;

  it('keeps retrying past the old ten-attempt limit, backing off exponentially up to the cap, then mirrors', async () => {
    // The mirror's writes (collection upserts are PATCH); the reads of start and generate go through.
    h.org.injectFault({ count: 1000, errorCode: 'SERVER_UNAVAILABLE', status: 503, body: 'html', methods: ['PATCH'] });
    await h.finalizedPlan();
    const [id] = await topLevel();
    const backoff = { baseMs: 1_000, maxMs: 8_000 };
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      // "Time passes": the task is due again (the backoff itself is what is measured).
      await h.sql`UPDATE workflow_tasks SET mirror_retry_at = now() WHERE mirror_status = 'pending'`;
      const report = await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log, {}, backoff);
      expect(report.failed).toBe(0);
      delays.push((await state(id!)).delayMs!);
    }
    const s = await state(id!);
    // The finalize's own attempt plus twelve sweeps, each a failed attempt; none of them gave up.
    expect(s).toMatchObject({ status: 'pending', attempts: 13 });
    expect(s.error).toMatch(/ERROR_HTTP_503/);
    // Doubling (±20%) from the base, never above the cap.
    expect(delays[0]).toBeGreaterThan(2 * 1_000 * 0.8 - 100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8_000);
    expect(delays.slice(-3).every((d) => d > 8_000 * 0.8 - 100)).toBe(true);
    // Not due before its time.
    expect(await tasksToMirror(h.sql, {})).toHaveLength(0);
    // Salesforce is back, the backoff passes: mirrored, once.
    h.org.clearFaults();
    await h.sql`UPDATE workflow_tasks SET mirror_retry_at = now()`;
    const report = await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log, {}, backoff);
    expect(report.pending).toBe(0);
    expect(await state(id!)).toMatchObject({ status: 'synced', attempts: 0 });
    expect(mirrored(id!)).toHaveLength(1);
  });

  it('waits for Retry-After when Salesforce asks for longer than the backoff', async () => {
    await h.finalizedPlan();
    const [id] = await topLevel();
    await h.sql`UPDATE workflow_tasks SET mirror_status = 'pending' WHERE id = ${id!}`;
    await recordMirrorResults(
      h.sql,
      [{ taskId: id!, error: { message: 'ERROR_HTTP_429', permanent: false, retryAfterMs: 600_000 }, readAt: new Date() }],
      { baseMs: 1_000, maxMs: 60_000 },
    );
    expect((await state(id!)).delayMs).toBeGreaterThan(599_000);
  });

  it('reports a task waiting longer than the threshold once: log, owner notification, metric', async () => {
    h.org.injectFault({ count: 1000, errorCode: 'UNABLE_TO_LOCK_ROW', mode: 'per-record', methods: ['PATCH'] });
    await h.finalizedPlan();
    const ids = await topLevel();
    // The wait started two hours ago.
    await h.sql`UPDATE workflow_tasks SET mirror_pending_since = now() - interval '2 hours' WHERE mirror_status = 'pending'`;
    h.logLines.length = 0;
    expect(await reportStuckMirrorTasks(h.sql, h.deps.log, 60 * 60_000)).toBe(ids.length);
    const line = h.logLines.map((l) => JSON.parse(l)).find((l) => /mirror stuck/.test(l.msg));
    expect(line).toMatchObject({ level: 'warn', count: ids.length, thresholdMinutes: 60, oldestMinutes: 120 });
    // One note per waiting task, to the task's owner (the plan assigns some to the executive sponsor), in task order (a
    // row order the database promises; the first row alone was sometimes the sponsor's), each checked.
    const notes = await h.sql<{ taskId: string; userId: string; assignee: string; body: string }[]>`
      SELECT n.task_id AS "taskId", n.user_id AS "userId", t.assignee_user_id AS assignee, n.body
        FROM notifications n JOIN workflow_tasks t ON t.id = n.task_id
       WHERE n.kind = 'mirror-stuck' ORDER BY n.task_id`;
    expect(notes.map((n) => n.taskId)).toEqual([...ids].sort());
    expect(new Set(notes.map((n) => n.userId))).toEqual(new Set([h.users['Jordan Lee'], h.users['Riley Park']]));
    for (const note of notes) {
      expect(note.userId).toBe(note.assignee);
      expect(note.body).toMatch(/waiting 120 minutes .* retried automatically\. Last error: UNABLE_TO_LOCK_ROW/);
    }
    // Deduplicated: the next runs (any instance) report nothing new.
    expect(await reportStuckMirrorTasks(h.sql, h.deps.log, 60 * 60_000)).toBe(0);
    expect(await h.sql`SELECT 1 FROM notifications WHERE kind = 'mirror-stuck'`).toHaveLength(ids.length);

    const metrics = await h.app.request('/metrics', { headers: { authorization: `Bearer ${h.deps.apiKey}` } });
    const text = await metrics.text();
    const age = Number(/^rap_salesforce_mirror_oldest_pending_seconds (\S+)$/m.exec(text)?.[1]);
    expect(age).toBeGreaterThanOrEqual(7200);
    expect(age).toBeLessThan(7400);
    expect(text).toMatch(new RegExp(`^rap_salesforce_mirror_pending ${ids.length}$`, 'm'));
  });

  it('reports nothing below the threshold, and the metric is 0 when nothing waits', async () => {
    await h.finalizedPlan();
    expect(await reportStuckMirrorTasks(h.sql, h.deps.log, 60 * 60_000)).toBe(0);
    const text = await (await h.app.request('/metrics', { headers: { authorization: `Bearer ${h.deps.apiKey}` } })).text();
    expect(text).toMatch(/^rap_salesforce_mirror_oldest_pending_seconds 0$/m);
  });
});
