// Plan view stamp reads arriving together share one statement (issue 25, db/plan-view-state.ts StampReads): each read
// gets its own row, the answer a lone read gives; a read asked for while a statement is out goes in the next one, so
// it sees every write committed before it was asked; a failed statement fails each of its reads and only those. Real
// PostgreSQL; the local Salesforce org emulator (not Salesforce) only to finalize the plans.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planViewStamp } from '../../service/src/db/plan-view-state.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

describe('plan view stamp reads in one statement', () => {
  let h: Harness;
  let a: string;
  let b: string;
  let stuckAfterMs: number;
  const missing = '00000000-0000-4000-8000-000000000000';
  const batches = () => h.dbStatements.filter((s) => s.includes('json_to_recordset')).length;

  beforeAll(async () => {
    h = await startHarness();
    a = (await h.finalizedPlan()).executionId;
    b = (await h.finalizedPlan(h.opportunities['Northwind Health — FY27 Renewal'])).executionId;
    stuckAfterMs = h.deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000;
  });
  afterAll(async () => h?.close());

  it('answers each read of a shared statement as a lone read would', async () => {
    const lone = {
      a: (await planViewStamp(h.sql, a, stuckAfterMs))!,
      b: (await planViewStamp(h.sql, b, stuckAfterMs))!,
    };
    expect(lone.a.stamp).not.toBe(lone.b.stamp);
    h.dbStatements.length = 0;
    const [fullA, heldA, gone, fullB, notAnId] = await Promise.all([
      planViewStamp(h.sql, a, stuckAfterMs),
      planViewStamp(h.sql, a, stuckAfterMs, ['an older stamp', lone.a.stamp]),
      planViewStamp(h.sql, missing, stuckAfterMs),
      planViewStamp(h.sql, b, stuckAfterMs),
      planViewStamp(h.sql, 'not-a-uuid', stuckAfterMs),
    ]);
    expect(batches()).toBe(1);
    expect(h.dbStatements).toHaveLength(1);
    expect(fullA).toEqual(lone.a);
    expect(fullB).toEqual(lone.b);
    expect(fullA!.live!.tasks.length).toBeGreaterThan(5);
    // The stamp the caller holds: no live state for that read only.
    expect(heldA).toEqual({ opportunityId: lone.a.opportunityId, hasPlan: true, stamp: lone.a.stamp });
    expect(gone).toBeUndefined();
    expect(notAnId).toBeUndefined();
  });

  it('sends a read asked for while a statement is out in the next one, which sees what was written before it', async () => {
    h.dbStatements.length = 0;
    const first = planViewStamp(h.sql, a, stuckAfterMs);
    // The first statement is sent at the end of this turn; the write and the second read come after it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches()).toBe(1);
    const [task] = await h.sql<{ id: string }[]>`
      SELECT id FROM workflow_tasks WHERE execution_id = ${a} AND owner = 'CSM' AND status = 'pending' LIMIT 1`;
    await h.sql`UPDATE workflow_tasks SET status = 'in_progress' WHERE id = ${task!.id}`;
    const second = (await planViewStamp(h.sql, a, stuckAfterMs))!;
    expect(batches()).toBe(2);
    expect(second.live!.tasks.find((t) => t.id === task!.id)!.status).toBe('in_progress');
    const lone = (await planViewStamp(h.sql, a, stuckAfterMs))!;
    expect(second.stamp).toBe(lone.stamp);
    await first;
  });

  it('fails every read of a failed statement, and only those', async () => {
    const closed = postgres(h.deps.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1 }) as unknown as Sql;
    await closed.end();
    const results = await Promise.allSettled([planViewStamp(closed, a, stuckAfterMs), planViewStamp(closed, b, stuckAfterMs)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await planViewStamp(h.sql, a, stuckAfterMs))!.opportunityId).toBe(h.discoveryId);
  });
});
