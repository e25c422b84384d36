import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { planContext } from '../db/plans.ts';
import type { Deps } from '../deps.ts';
import type { ReadableFields } from '../salesforce/field-access.ts';
import { hiddenContextFieldsKey } from '../salesforce/withheld.ts';
import { maskStoredOutput } from '../salesforce/withheld-stored.ts';

type Viewer = { fields: ReadableFields; key: string; tag: string };
type Mask = ReturnType<typeof maskStoredOutput>;

/**
 * Masks of stored plans by plan id and the viewer's hidden fields: a plan version's stored context never changes, and
 * the hidden fields are all a mask reads of the viewer, so a poll reuses it instead of building it again.
 */
const masks = new LRUCache<string, Promise<Mask>>({ max: 500 });

function planMask(deps: Deps, planId: string, viewer: Viewer): Promise<Mask> {
  const key = `${planId}|${viewer.key}`;
  let mask = masks.get(key);
  if (!mask) {
    mask = planContext(deps.db.sql, planId).then((stored) => maskStoredOutput(stored, viewer.fields));
    mask.catch(() => masks.delete(key));
    masks.set(key, mask);
  }
  return mask;
}

/** Viewers by the field access they were made from (cached by field-access.ts): a poll does not recompute its key. */
const viewers = new WeakMap<ReadableFields, Viewer>();

/**
 * What a user may read of the stored outputs shown to them (a plan, step analyses), which another user with more field
 * access may have made (withheld-stored.ts). `key` is '' for a user who reads every context field (nothing to mask,
 * nothing loaded); otherwise it names the hidden fields, for a cache key. `tag` is '' or a short hash of `key`, for an
 * ETag.
 */
export async function viewerAccess(deps: Deps, userId: string): Promise<Viewer> {
  const fields = await deps.salesforce.readableFields(userId);
  let viewer = viewers.get(fields);
  if (!viewer) {
    const key = hiddenContextFieldsKey(fields);
    viewer = { fields, key, tag: key && createHash('sha256').update(key).digest('hex').slice(0, 12) };
    viewers.set(fields, viewer);
  }
  return viewer;
}

/** A plan view (as built for any viewer) as this viewer may read it: the plan's stored context says what to mask. */
export async function planViewForViewer<V extends { id: string; withheld: unknown[] }>(deps: Deps, viewer: Viewer, view: V): Promise<V> {
  if (!viewer.key) return view;
  const mask = await planMask(deps, view.id, viewer);
  return mask ? { ...mask.apply(view), withheld: [...view.withheld, ...mask.withheld] } : view;
}

/**
 * Step analyses (stored on the execution, made under the field access of whoever started it) as this viewer may read
 * them: the opportunity's current context (the integration user's, cached) says what to mask.
 */
export async function stepsForViewer<V>(deps: Deps, viewer: Viewer, opportunityId: string, view: V): Promise<V> {
  if (!viewer.key) return view;
  const ctx = await deps.salesforce.loadContext(opportunityId);
  const mask = ctx && maskStoredOutput(ctx, viewer.fields);
  return mask ? mask.apply(view) : view;
}

/** Plan tasks (their action, description, evidence, results) as this viewer may read them: each by its plan's stored context. */
export async function tasksForViewer<V extends { actionPlanId: string | null }>(deps: Deps, viewer: Viewer, tasks: V[]): Promise<V[]> {
  if (!viewer.key) return tasks;
  const planIds = [...new Set(tasks.map((t) => t.actionPlanId).filter((id): id is string => id !== null))];
  const byPlan = new Map(await Promise.all(planIds.map(async (id) => [id, await planMask(deps, id, viewer)] as const)));
  return tasks.map((t) => byPlan.get(t.actionPlanId ?? '')?.apply(t) ?? t);
}
