import { readCursor, writeCursor } from '../db/sync-state.ts';
import type { TaskState } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';

const LAST_SWEEP = 'salesforce-mirror-sweep';

/** Notes that the sync loop just retried every task waiting for Salesforce (any instance's loop). */
export async function recordMirrorSweep(deps: Pick<Deps, 'db' | 'now'>): Promise<void> {
  await writeCursor(deps.db.sql, LAST_SWEEP, deps.now().toISOString());
}

/** When the sync loop (of any instance) next retries tasks still waiting to be copied to Salesforce. */
export async function nextMirrorSweep(deps: Pick<Deps, 'db' | 'env' | 'now'>): Promise<Date> {
  const last = await readCursor(deps.db.sql, LAST_SWEEP);
  const interval = deps.env.SF_SYNC_INTERVAL_SECONDS * 1000;
  const now = deps.now().getTime();
  const next = last ? Date.parse(last) + interval : now + interval;
  return new Date(next > now ? next : now + interval);
}

/** The mirror columns a plan view reads for one task. */
export type MirrorState = Pick<TaskState, 'id' | 'key' | 'mirrorStatus' | 'mirrorError' | 'mirrorAttempts'> & { action: string };

export interface StuckTask {
  taskId: string;
  key: string;
  action: string;
  /** Salesforce's answer to the last attempt. */
  reason: string;
  /** When the next attempt is due (ISO); null when the service gave up (Salesforce rejected the Task for good). */
  retryAt: string | null;
}

/**
 * Where a plan's Salesforce Task copies stand. A task waiting for its first copy is normal (it is copied within
 * seconds of finalize or of its run) and is only counted; a task is stuck once an attempt failed: retrying when
 * Salesforce answered with a passing error, given up when it rejected the Task. The next retry is the background
 * sweep's next run. This is the one place that decides what "stuck" means, so a richer retry schedule (backoff
 * columns) only changes this function.
 *
 * @example mirrorStanding(rows, new Date('2026-12-01T10:00:00Z')).stuck // [{ reason: 'UNABLE_TO_LOCK_ROW: ...', retryAt: '2026-12-01T10:00:00.000Z' }]
 */
export function mirrorStanding(rows: MirrorState[], nextSweepAt: Date) {
  const counts = { synced: 0, pending: 0, failed: 0 };
  const stuck: StuckTask[] = [];
  for (const r of rows) {
    if (r.mirrorStatus in counts) counts[r.mirrorStatus as keyof typeof counts]++;
    const gaveUp = r.mirrorStatus === 'failed';
    if (gaveUp || (r.mirrorStatus === 'pending' && r.mirrorAttempts > 0))
      stuck.push({ taskId: r.id, key: r.key, action: r.action, reason: r.mirrorError ?? 'Salesforce did not say why', retryAt: gaveUp ? null : nextSweepAt.toISOString() });
  }
  return { ...counts, stuck };
}
