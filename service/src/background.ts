import { readCursor, writeCursor } from './db/sync-state.ts';
import type { Deps } from './deps.ts';
import { mirrorPendingTasks } from './workflows/mirror.ts';
import { sendSalesforceNotifications } from './workflows/salesforce-notifications.ts';
import { watchRenewalDates } from './workflows/renewal-watch.ts';
import { syncTaskStatusFromSalesforce } from './workflows/status-sync.ts';

const LAST_SWEEP = 'salesforce-mirror-sweep';

/** When the sync loop (of any instance) next retries tasks still waiting to be copied to Salesforce. */
export async function nextMirrorSweep(deps: Pick<Deps, 'db' | 'env' | 'now'>): Promise<Date> {
  const last = await readCursor(deps.db.sql, LAST_SWEEP);
  const interval = deps.env.SF_SYNC_INTERVAL_SECONDS * 1000;
  const now = deps.now().getTime();
  const next = last ? Date.parse(last) + interval : now + interval;
  return new Date(next > now ? next : now + interval);
}

/**
 * The Salesforce sync loop: every interval, mirror tasks still pending (after a crash or an outage), pull
 * completions made in Salesforce, notice renewal dates moved under a finalized plan, and send the notifications
 * still due to Salesforce. One run at a time per instance; runs in several instances are harmless
 * because both directions are idempotent.
 */
export function startSalesforceSync(deps: Deps, intervalMs: number): { stop(): Promise<void>; runOnce(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const runOnce = () => {
    running ??= (async () => {
      try {
        await mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log);
        await writeCursor(deps.db.sql, LAST_SWEEP, deps.now().toISOString());
        await syncTaskStatusFromSalesforce(deps);
        await watchRenewalDates(deps);
        await sendSalesforceNotifications(deps);
      } catch (err) {
        deps.log.warn('salesforce sync failed; will retry', { error: (err as Error).message });
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void (stopped || runOnce()), intervalMs);
  timer.unref();
  void runOnce();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
