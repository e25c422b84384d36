import { SalesforceError, toSalesforceError } from './errors.ts';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}
/** For writes (jsforce never retries POST/PATCH itself). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };
/** For reads, which jsforce already retries on 5xx: one more round, mainly for row locks. */
export const READ_RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 250, maxDelayMs: 1_000 };
/** How long writes pause after REQUEST_LIMIT_EXCEEDED when Salesforce does not say (no Retry-After). */
export const DEFAULT_WRITE_PAUSE_MS = 15 * 60_000;

/**
 * Shared pause for writes after REQUEST_LIMIT_EXCEEDED: the org's daily API allowance is spent, so every writer of
 * this process stops until the pause ends instead of hammering Salesforce. The pause is a duration on this process's
 * monotonic time, not business time.
 */
export class WriteGate {
  private pausedUntil = 0;
  constructor(
    private readonly pauseMs = DEFAULT_WRITE_PAUSE_MS,
    private readonly now = () => performance.timeOrigin + performance.now(),
  ) {}
  /** Pauses writes for the configured time, or longer when Salesforce asked for longer (Retry-After). */
  pause(atLeastMs = 0): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(this.pauseMs, atLeastMs));
  }
  /** Milliseconds left in the pause (0 when writes may go). */
  remainingMs(): number {
    return Math.max(0, Math.ceil(this.pausedUntil - this.now()));
  }
  /** Throws while writes are paused, with the time left as the error's retryAfterMs. */
  check(): void {
    const left = this.remainingMs();
    if (left > 0) {
      throw new SalesforceError(
        `Salesforce writes are paused for ${Math.ceil(left / 1000)} s more (API request limit exceeded)`,
        'REQUEST_LIMIT_EXCEEDED',
        'rate_limited',
        undefined,
        left,
      );
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn`, retrying retryable Salesforce failures with exponential backoff and full jitter. A `Retry-After` longer
 * than the policy's longest delay ends the loop at once: the caller's queue waits that long, not this request.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: { policy?: RetryPolicy; gate?: WriteGate; onRetry?: (err: SalesforceError, attempt: number) => void } = {},
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    opts.gate?.check();
    try {
      return await fn();
    } catch (raw) {
      const err = toSalesforceError(raw);
      if (err.kind === 'rate_limited') opts.gate?.pause(err.retryAfterMs);
      if (!err.retryable || attempt >= policy.attempts) throw err;
      if ((err.retryAfterMs ?? 0) > policy.maxDelayMs) throw err;
      opts.onRetry?.(err, attempt);
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.max(Math.random() * cap, err.retryAfterMs ?? 0));
    }
  }
}
