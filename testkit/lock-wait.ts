import { setTimeout as pause } from 'node:timers/promises';
import type { Sql } from '../service/src/db/sql.ts';

/**
 * Resolves once `work` settled, or once some session of this database waits on a lock (the interleaving a test set
 * up has reached the row another open transaction holds). A condition, not a delay: the polling only re-asks.
 */
export async function untilSettledOrWaitingOnLock(work: Promise<unknown>, sql: Sql): Promise<void> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    const [waiting] = await sql`
      SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' LIMIT 1`;
    if (waiting) return;
    await pause(5);
  }
}
