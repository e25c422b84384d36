import { takeRateLimits } from '../db/rate-limits.ts';
import type { Deps } from '../deps.ts';
import { rateLimited } from '../domain-errors.ts';

/**
 * Whose budget a generation spends: a CSM's own click (`click`: the CSM's budget) or a draft a bulk start queued
 * (`bulk`: the org's bulk budget, so hundreds of queued drafts never starve a CSM's click).
 */
export type GenerationBudget = 'click' | 'bulk';

/** The org's budget for bulk-queued generations (one org per service: one key). */
const BULK_KEY = 'generate:bulk';

/**
 * Bounds plan generation, which costs a Salesforce context load and (with a model) a model call or two, per
 * `PLAN_GENERATE_WINDOW_SECONDS`, enforced across all instances through PostgreSQL: a CSM's click takes from the CSM's
 * budget (`PLAN_GENERATE_LIMIT_PER_USER`), a bulk-queued generation from the org's bulk budget
 * (`PLAN_GENERATE_LIMIT_BULK`), both from the execution's (`PLAN_GENERATE_LIMIT_PER_EXECUTION`). A refused request is
 * a 429 with `Retry-After` and costs nothing.
 *
 * Isolation: a budget is read then written, a rule over rows; takeRateLimits locks the budget rows (`FOR UPDATE`, in
 * key order) before reading them, so concurrent generations on any instance take from a budget one after the other.
 */
export async function requireGenerationAllowed(
  deps: Deps,
  userId: string,
  executionId: string,
  budget: GenerationBudget = 'click',
): Promise<void> {
  const {
    PLAN_GENERATE_LIMIT_PER_USER: perUser,
    PLAN_GENERATE_LIMIT_BULK: bulk,
    PLAN_GENERATE_LIMIT_PER_EXECUTION: perExecution,
    PLAN_GENERATE_WINDOW_SECONDS: window,
  } = deps.env;
  const ownKey = budget === 'bulk' ? BULK_KEY : `generate:user:${userId}`;
  const decision = await takeRateLimits(
    deps.db.sql,
    [
      { key: ownKey, limit: budget === 'bulk' ? bulk : perUser },
      { key: `generate:execution:${executionId}`, limit: perExecution },
    ],
    window * 1000,
    deps.now,
  );
  if (decision.allowed) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const what =
    decision.key !== ownKey
      ? `${perExecution} plan generations per execution`
      : budget === 'bulk'
        ? `${bulk} bulk-queued plan generations`
        : `${perUser} plan generations per user`;
  throw rateLimited(`Too many plan generations: at most ${what} every ${window} s; try again in ${seconds} s`, seconds);
}
