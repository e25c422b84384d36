import type { TaskState } from '../../db/tasks.ts';

/** The mirror columns a plan view reads for one task. */
export type MirrorState = Pick<TaskState, 'id' | 'key' | 'mirrorStatus' | 'mirrorError' | 'mirrorRetryAt' | 'mirrorWaitingSeconds'> & {
  action: string;
};

interface StuckTask {
  taskId: string;
  key: string;
  action: string;
  /** Salesforce's answer to the last attempt. */
  reason: string;
  /**
   * When the next attempt is due (ISO), from the task's backoff; null when the service gave up (Salesforce rejected
   * the Task) or when the task is due at the sync loop's next run (no attempt failed yet, or an operator reset it).
   */
  retryAt: string | null;
  /** Salesforce rejected the Task for good: nothing retries it. */
  rejected: boolean;
}

/**
 * Where a plan's Salesforce Task copies stand. A task waiting to be copied is normal (it is copied within seconds of
 * finalize or of its run, and retried with a backoff while Salesforce has trouble) and is only counted; it is stuck,
 * as the stuck-mirror report means it, once it has waited longer than `stuckAfterMs` (measured on the database's
 * clock) or when Salesforce rejected the Task. This is the one place that decides what the card calls stuck.
 *
 * @example mirrorStanding(rows, 60 * 60_000).stuck // [{ reason: 'UNABLE_TO_LOCK_ROW: ...', retryAt: '2026-12-01T10:00:00.000Z', rejected: false }]
 */
export function mirrorStanding(rows: MirrorState[], stuckAfterMs: number) {
  const counts = { synced: 0, pending: 0, failed: 0 };
  const stuck: StuckTask[] = [];
  for (const r of rows) {
    if (r.mirrorStatus in counts) counts[r.mirrorStatus as keyof typeof counts]++;
    const rejected = r.mirrorStatus === 'failed';
    const waitedTooLong = r.mirrorStatus === 'pending' && (r.mirrorWaitingSeconds ?? 0) * 1000 > stuckAfterMs;
    if (rejected || waitedTooLong)
      stuck.push({
        taskId: r.id,
        key: r.key,
        action: r.action,
        reason: r.mirrorError ?? (rejected ? 'Salesforce did not say why' : 'not copied yet'),
        retryAt: rejected || !r.mirrorRetryAt ? null : new Date(r.mirrorRetryAt).toISOString(),
        rejected,
      });
  }
  return { ...counts, stuck };
}
