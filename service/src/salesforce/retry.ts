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

/**
 * Shared pause for writes after REQUEST_LIMIT_EXCEEDED: the org's daily API allowance is spent, so
 * every writer stops until the pause ends instead of hammering Salesforce.
 */
export class WriteGate {
  private pausedUntil = 0;
  constructor(private readonly pauseMs = 15 * 60_000, private readonly now = () => Date.now()) {}
  pause(): void {
    this.pausedUntil = this.now() + this.pauseMs;
  }
  /** Throws while writes are paused. */
  check(): void {
    if (this.now() < this.pausedUntil) {
      const until = new Date(this.pausedUntil).toISOString();
      throw new SalesforceError(`Salesforce writes are paused until ${until} (API request limit exceeded)`, 'REQUEST_LIMIT_EXCEEDED', 'rate_limited');
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`, retrying retryable Salesforce failures with exponential backoff and full jitter. */
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
      if (err.kind === 'rate_limited') opts.gate?.pause();
      if (!err.retryable || attempt >= policy.attempts) throw err;
      opts.onRetry?.(err, attempt);
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * cap);
    }
  }
}
