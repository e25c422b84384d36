import { getPlan, type PlanRow } from '../db/plans.ts';
import type { Sql } from '../db/sql.ts';
import { LRUCache } from 'lru-cache';

/**
 * Plan versions are immutable once written: a draft's content never changes (edits apply at finalize, which
 * writes the finalized content once) and a new generation is a new row. So a plan read by (id, status) can be
 * kept in memory; only the task states, read fresh on every request, are live.
 */
export class PlanCache {
  // Immutable rows: the age bound only returns memory of plans nobody reads any more.
  private readonly plans = new LRUCache<string, PlanRow>({ max: 500, ttl: 10 * 60_000 });

  async get(sql: Sql, ref: { id: string; status: PlanRow['status'] }): Promise<PlanRow | undefined> {
    const key = `${ref.id}:${ref.status}`;
    const hit = this.plans.get(key);
    if (hit) return hit;
    const plan = await getPlan(sql, ref.id);
    if (plan && plan.status === ref.status) this.plans.set(key, plan);
    return plan;
  }
}

/** Rendered plan views by execution, valid while the database's view stamp is unchanged. */
export class PlanViewCache {
  private readonly views = new LRUCache<string, { stamp: string; json: string }>({ max: 1000, ttl: 10 * 60_000 });

  /** The stamp of the view cached for an execution, if any. */
  stampOf(executionId: string): string | undefined {
    return this.views.get(executionId)?.stamp;
  }

  get(executionId: string, stamp: string): string | undefined {
    const hit = this.views.get(executionId);
    return hit?.stamp === stamp ? hit.json : undefined;
  }

  set(executionId: string, stamp: string, json: string): void {
    this.views.set(executionId, { stamp, json });
  }
}
