import { takeRateLimits } from '../db/rate-limits.ts';
import type { Deps } from '../deps.ts';
import { rateLimited } from '../domain-errors.ts';

/**
 * Bounds plan generation, which costs a Salesforce context load and (with a model) a model call or two: per user and
 * per execution, `PLAN_GENERATE_LIMIT_PER_*` generations per `PLAN_GENERATE_WINDOW_SECONDS`, enforced across all
 * instances through PostgreSQL. A refused request is a 429 with `Retry-After` and costs nothing.
 */
export async function requireGenerationAllowed(deps: Deps, userId: string, executionId: string): Promise<void> {
  const {
    PLAN_GENERATE_LIMIT_PER_USER: perUser,
    PLAN_GENERATE_LIMIT_PER_EXECUTION: perExecution,
    PLAN_GENERATE_WINDOW_SECONDS: window,
  } = deps.env;
  const userKey = `generate:user:${userId}`;
  const decision = await takeRateLimits(
    deps.db.sql,
    [
      { key: userKey, limit: perUser },
      { key: `generate:execution:${executionId}`, limit: perExecution },
    ],
    window * 1000,
    deps.now,
  );
  if (decision.allowed) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const what = decision.key === userKey ? `${perUser} plan generations per user` : `${perExecution} plan generations per execution`;
  throw rateLimited(`Too many plan generations: at most ${what} every ${window} s; try again in ${seconds} s`, seconds);
}
