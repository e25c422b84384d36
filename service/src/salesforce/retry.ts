import { SalesforceError, toSalesforceError } from './errors.ts';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The backoff for the concurrent long-running request limit (REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit
   * exceeded"): it clears as other requests finish, so the first wait is seconds, not the base delay.
   */
  concurrentBaseDelayMs?: number;
  concurrentMaxDelayMs?: number;
}
/** For writes (jsforce never retries POST/PATCH itself). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };
/** For reads, which jsforce already retries on 5xx: one more round, mainly for row locks. */
export const READ_RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 250, maxDelayMs: 1_000 };
/** Seconds: Salesforce counts a request as long-running past 20 s of API time, and frees a slot when one ends. */
const CONCURRENT_BASE_DELAY_MS = 2_000;
const CONCURRENT_MAX_DELAY_MS = 20_000;
/** How long writes pause after the daily REQUEST_LIMIT_EXCEEDED before the allowance is read again. */
export const DEFAULT_WRITE_PAUSE_MS = 15 * 60_000;

/** The org's daily API usage, as `Sforce-Limit-Info: api-usage=N/M` or `/limits`' DailyApiRequests report it. */
export interface ApiUsage {
  used: number;
  limit: number;
}

/**
 * Shared pause for writes after the daily REQUEST_LIMIT_EXCEEDED: the org's API allowance is spent, so every writer
 * of this process stops instead of hammering Salesforce. The allowance is a rolling 24 hours, so time alone does not
 * say when it is back: when the pause ends, the first writer reads the usage (`readUsage`: the newest
 * Sforce-Limit-Info header, else `/limits`) and writes resume only if some allowance is left; otherwise the pause
 * starts again. The pause is a duration on this process's monotonic time, not business time.
 */
export class WriteGate {
  private pausedUntil = 0;
  /** Set by a daily-limit pause: the allowance must be seen to have recovered before writes resume. */
  private awaitingRecovery = false;
  private probe: Promise<void> | undefined;

  constructor(
    private readonly pauseMs = DEFAULT_WRITE_PAUSE_MS,
    private readonly now = () => performance.timeOrigin + performance.now(),
    private readonly readUsage?: () => Promise<ApiUsage | undefined>,
  ) {}

  /** Pauses writes for the configured time, or longer when Salesforce asked for longer (Retry-After). */
  pause(atLeastMs = 0): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(this.pauseMs, atLeastMs));
    this.awaitingRecovery = true;
  }

  /** Milliseconds left in the pause (0 when writes may go, or may go once the allowance is read). */
  remainingMs(): number {
    return Math.max(0, Math.ceil(this.pausedUntil - this.now()));
  }

  /**
   * Throws while writes are paused, with the time left as the error's retryAfterMs. Once the pause is over, the
   * first caller reads the allowance (concurrent callers share that one read) and either opens the gate or pauses
   * again.
   */
  async check(): Promise<void> {
    this.throwIfPaused();
    if (!this.awaitingRecovery || !this.readUsage) return;
    this.probe ??= this.readAllowance().finally(() => (this.probe = undefined));
    await this.probe;
    this.throwIfPaused();
  }

  private async readAllowance(): Promise<void> {
    let usage: ApiUsage | undefined;
    try {
      usage = await this.readUsage!();
    } catch (raw) {
      // The usage read itself refused for the daily limit: still spent. Any other failure says nothing about the
      // allowance, so writes resume (and the next REQUEST_LIMIT_EXCEEDED pauses them again).
      if (toSalesforceError(raw).kind === 'rate_limited') usage = { used: 1, limit: 1 };
    }
    if (usage && usage.used >= usage.limit) {
      this.pausedUntil = this.now() + this.pauseMs;
      return;
    }
    this.awaitingRecovery = false;
  }

  private throwIfPaused(): void {
    const left = this.remainingMs();
    if (left > 0) {
      throw new SalesforceError(
        `Salesforce writes are paused for ${Math.ceil(left / 1000)} s more (the daily API request limit is exceeded)`,
        'REQUEST_LIMIT_EXCEEDED',
        'rate_limited',
        undefined,
        left,
      );
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The wait before retry `attempt` (1-based): exponential backoff with full jitter, or equal jitter in seconds for the concurrent limit. */
export function retryDelayMs(err: SalesforceError, attempt: number, policy: RetryPolicy, random = Math.random): number {
  if (err.limit === 'concurrent') {
    const base = policy.concurrentBaseDelayMs ?? CONCURRENT_BASE_DELAY_MS;
    const cap = Math.min(policy.concurrentMaxDelayMs ?? CONCURRENT_MAX_DELAY_MS, base * 2 ** (attempt - 1));
    // Half fixed, half random: never sooner than half the step (the slots free up in seconds), and spread out so
    // the writers that all met the limit at once do not all come back at once.
    return Math.max(cap / 2 + random() * (cap / 2), err.retryAfterMs ?? 0);
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(random() * cap, err.retryAfterMs ?? 0);
}

/**
 * Runs `fn`, retrying retryable Salesforce failures with exponential backoff and full jitter. A `Retry-After` longer
 * than the policy's longest delay ends the loop at once: the caller's queue waits that long, not this request.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: {
    policy?: RetryPolicy;
    gate?: WriteGate;
    onRetry?: (err: SalesforceError, attempt: number) => void;
    /** Test seams: how a wait is made, and the jitter's source. */
    sleep?: (ms: number) => Promise<unknown>;
    random?: () => number;
  } = {},
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    await opts.gate?.check();
    try {
      return await fn();
    } catch (raw) {
      const err = toSalesforceError(raw);
      if (err.kind === 'rate_limited') opts.gate?.pause(err.retryAfterMs);
      if (!err.retryable || attempt >= policy.attempts) throw err;
      const longest = err.limit === 'concurrent' ? (policy.concurrentMaxDelayMs ?? CONCURRENT_MAX_DELAY_MS) : policy.maxDelayMs;
      if ((err.retryAfterMs ?? 0) > longest) throw err;
      opts.onRetry?.(err, attempt);
      await (opts.sleep ?? sleep)(retryDelayMs(err, attempt, policy, opts.random));
    }
  }
}
