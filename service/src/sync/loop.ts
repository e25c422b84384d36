import { Leadership } from '../db/leadership.ts';
import type { Deps } from '../deps.ts';
import { mirrorBackoff, mirrorPendingTasks, reportStuckMirrorTasks } from './mirror.ts';
import { sendSalesforceNotifications } from './salesforce-notifications.ts';
import { watchRenewalDates } from './renewal-watch.ts';
import { syncTaskStatusFromSalesforce } from './status-sync.ts';

/**
 * The Salesforce sync loop: every interval, re-read the org's business calendar when it is due, mirror tasks still
 * pending whose backoff passed (after a crash or an outage), report those waiting too long, pull completions made in
 * Salesforce, notice renewal dates moved under a finalized plan, and send the notifications
 * still due to Salesforce. Only the sync leader runs it (one instance at a time, an advisory lock), so its fixed cost,
 * its queries per interval, does not grow with the number of instances; when the leader stops or dies, another
 * instance takes over at its next interval.
 */
export function startSalesforceSync(
  deps: Deps,
  intervalMs: number,
  opts: { runAtStart?: boolean } = {},
): { stop(): Promise<void>; runOnce(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const leader = new Leadership(deps.db.sql, 'renewal-action-plans:salesforce-sync');
  const runOnce = () => {
    running ??= (async () => {
      // Each part on its own: one failing (say, the renewal-date query) does not hold the others back.
      const parts: [string, () => Promise<unknown>][] = [
        // First, so the parts below count business days on the org's current calendar (re-read at most hourly).
        ['calendar', () => deps.calendar.refresh()],
        ['mirror', () => mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, {}, mirrorBackoff(deps.env))],
        ['stuck mirrors', () => reportStuckMirrorTasks(deps.db.sql, deps.log, deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000)],
        ['completions', () => syncTaskStatusFromSalesforce(deps)],
        ['renewal dates', () => watchRenewalDates(deps)],
        ['notifications', () => sendSalesforceNotifications(deps)],
      ];
      try {
        const leading = await leader.acquire().catch((err: Error) => {
          deps.log.warn('salesforce sync failed; will retry', { part: 'leadership', error: err.message });
          return false;
        });
        if (!leading) return;
        for (const [part, run] of parts)
          await run().catch((err: Error) => deps.log.warn('salesforce sync failed; will retry', { part, error: err.message }));
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void (stopped || runOnce()), intervalMs);
  timer.unref();
  if (opts.runAtStart !== false) void runOnce();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await leader.release();
    },
  };
}
