import { LRUCache } from 'lru-cache';
import { planContext } from '../db/plans.ts';
import type { Deps } from '../deps.ts';
import type { CrmContext } from '../salesforce/context.ts';
import type { ReadableFields } from '../salesforce/field-access.ts';
import { hiddenContextFieldsKey } from '../salesforce/withheld.ts';
import { maskStoredOutput } from '../salesforce/withheld-stored.ts';

/** Stored plan contexts by plan id: a plan version's context never changes once stored. */
const contexts = new LRUCache<string, Promise<CrmContext>>({ max: 500 });

function storedContext(deps: Deps, planId: string): Promise<CrmContext> {
  let stored = contexts.get(planId);
  if (!stored) {
    stored = planContext(deps.db.sql, planId);
    stored.catch(() => contexts.delete(planId));
    contexts.set(planId, stored);
  }
  return stored;
}

/**
 * What a user may read of the stored outputs shown to them (a plan, step analyses), which another user with more field
 * access may have made (withheld-stored.ts). `key` is '' for a user who reads every context field (nothing to mask,
 * nothing loaded); otherwise it names the hidden fields, for a cache key or an ETag.
 */
export async function viewerAccess(deps: Deps, userId: string): Promise<{ fields: ReadableFields; key: string }> {
  const fields = await deps.salesforce.readableFields(userId);
  return { fields, key: hiddenContextFieldsKey(fields) };
}

/** A plan view (as built for any viewer) as this viewer may read it: the plan's stored context says what to mask. */
export async function planViewForViewer<V extends { id: string; withheld: unknown[] }>(
  deps: Deps,
  viewer: { fields: ReadableFields; key: string },
  view: V,
): Promise<V> {
  if (!viewer.key) return view;
  const mask = maskStoredOutput(await storedContext(deps, view.id), viewer.fields);
  return mask ? { ...mask.apply(view), withheld: [...view.withheld, ...mask.withheld] } : view;
}

/**
 * Step analyses (stored on the execution, made under the field access of whoever started it) as this viewer may read
 * them: the opportunity's current context (the integration user's, cached) says what to mask.
 */
export async function stepsForViewer<V>(
  deps: Deps,
  viewer: { fields: ReadableFields; key: string },
  opportunityId: string,
  view: V,
): Promise<V> {
  if (!viewer.key) return view;
  const ctx = await deps.salesforce.loadContext(opportunityId);
  const mask = ctx && maskStoredOutput(ctx, viewer.fields);
  return mask ? mask.apply(view) : view;
}

/** Plan tasks (their action, description, evidence, results) as this viewer may read them: each by its plan's stored context. */
export async function tasksForViewer<V extends { actionPlanId: string | null }>(
  deps: Deps,
  viewer: { fields: ReadableFields; key: string },
  tasks: V[],
): Promise<V[]> {
  if (!viewer.key) return tasks;
  const masks = new Map<string, ReturnType<typeof maskStoredOutput>>();
  for (const planId of new Set(tasks.map((t) => t.actionPlanId).filter((id): id is string => id !== null)))
    masks.set(planId, maskStoredOutput(await storedContext(deps, planId), viewer.fields));
  return tasks.map((t) => masks.get(t.actionPlanId ?? '')?.apply(t) ?? t);
}
