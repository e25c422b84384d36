import { describe, expect, it } from 'vitest';
import { SalesforceError } from './errors.ts';
import { withRetry, WriteGate } from './retry.ts';

const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('withRetry', () => {
  it('retries retryable failures and returns the first success', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new SalesforceError('locked', 'UNABLE_TO_LOCK_ROW', 'retryable');
        return 'ok';
      },
      { policy: fast },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new SalesforceError('down', 'SERVER_UNAVAILABLE', 'retryable');
        },
        { policy: fast },
      ),
    ).rejects.toMatchObject({ code: 'SERVER_UNAVAILABLE' });
    expect(calls).toBe(3);
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new SalesforceError('bad', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'permanent');
        },
        { policy: fast },
      ),
    ).rejects.toMatchObject({ kind: 'permanent' });
    expect(calls).toBe(1);
  });

  it('pauses every writer after REQUEST_LIMIT_EXCEEDED until the pause ends', async () => {
    let now = 1_000_000;
    const gate = new WriteGate(60_000, () => now);
    await expect(
      withRetry(
        async () => {
          throw new SalesforceError('limit', 'REQUEST_LIMIT_EXCEEDED', 'rate_limited');
        },
        { policy: fast, gate },
      ),
    ).rejects.toMatchObject({ kind: 'rate_limited' });
    let called = false;
    await expect(withRetry(async () => (called = true), { gate })).rejects.toThrow(/paused for 60 s/);
    expect(called).toBe(false);
    now += 60_001;
    await expect(withRetry(async () => 'resumed', { gate })).resolves.toBe('resumed');
  });

  it('pauses at least as long as Retry-After asks', async () => {
    let now = 0;
    const gate = new WriteGate(60_000, () => now);
    gate.pause(300_000);
    expect(gate.remainingMs()).toBe(300_000);
    await expect(gate.check()).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 300_000 });
    now += 300_000;
    expect(gate.remainingMs()).toBe(0);
  });

  it('leaves a Retry-After longer than its longest delay to the caller, without waiting', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new SalesforceError('slow down', 'ERROR_HTTP_429', 'retryable', 429, 120_000);
        },
        { policy: fast },
      ),
    ).rejects.toMatchObject({ retryAfterMs: 120_000 });
    expect(calls).toBe(1);
  });
});
