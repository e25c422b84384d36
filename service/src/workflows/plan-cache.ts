import { getPlan, type PlanRow } from '../db/plans.ts';
import type { HeldTasks } from '../db/plan-view-state.ts';
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

/** How many masked renderings (one per set of hidden fields) an execution's cached view keeps. */
const MASKED_PER_VIEW = 20;

/**
 * Rendered plan views by execution, valid while the database's view stamp is unchanged: the view as rendered for a
 * viewer who reads every field, and the masked renderings of it for viewers who do not (by their hidden-field key,
 * viewer-mask.ts), which go with it when the stamp changes. With them, the task states the view was rendered from, by
 * version: the next render after a change reads only the tasks that changed (`HeldTasks`).
 */
export class PlanViewCache {
  private readonly views = new LRUCache<string, { stamp: string; json: string; tasks: HeldTasks; masked: Map<string, string> }>({
    max: 1000,
    ttl: 10 * 60_000,
  });

  /** The stamp of the view cached for an execution, if any. */
  stampOf(executionId: string): string | undefined {
    return this.views.get(executionId)?.stamp;
  }

  /** The task states of the view cached for an execution (of whatever stamp), by version. */
  tasksOf(executionId: string): HeldTasks | undefined {
    return this.views.get(executionId)?.tasks;
  }

  /** The cached entry of an execution, if it is of this stamp. */
  private entry(executionId: string, stamp: string) {
    const hit = this.views.get(executionId);
    return hit?.stamp === stamp ? hit : undefined;
  }

  get(executionId: string, stamp: string): string | undefined {
    return this.entry(executionId, stamp)?.json;
  }

  set(executionId: string, stamp: string, json: string, tasks: HeldTasks): void {
    this.views.set(executionId, { stamp, json, tasks, masked: new Map() });
  }

  /** The view of this stamp as masked for viewers with these hidden fields, if it was rendered. */
  masked(executionId: string, stamp: string, hiddenKey: string): string | undefined {
    return this.entry(executionId, stamp)?.masked.get(hiddenKey);
  }

  /** Keeps a masked rendering with the view it was made from (only while that view, of this stamp, is the one held). */
  setMasked(executionId: string, stamp: string, hiddenKey: string, json: string): void {
    const hit = this.entry(executionId, stamp);
    if (!hit) return;
    if (hit.masked.size >= MASKED_PER_VIEW) hit.masked.delete(hit.masked.keys().next().value!);
    hit.masked.set(hiddenKey, json);
  }
}
