import type { Deps } from '../deps.ts';
import { mirrorBackoff, mirrorPendingTasks, reportStuckMirrorTasks } from './mirror.ts';
import { sendSalesforceNotifications } from './salesforce-notifications.ts';
import { watchRenewalDates } from './renewal-watch.ts';
import { syncTaskStatusFromSalesforce } from './status-sync.ts';

/**
 * The Salesforce sync loop: every interval, re-read the org's business calendar when it is due, mirror tasks still
 * pending whose backoff passed (after a crash or an outage), report those waiting too long, pull completions made in
 * Salesforce, notice renewal dates moved under a finalized plan, and send the notifications
 * still due to Salesforce. One run at a time per instance; runs in several instances are harmless
 * because both directions are idempotent.
 */
export function startSalesforceSync(deps: Deps, intervalMs: number, opts: { runAtStart?: boolean } = {}): { stop(): Promise<void>; runOnce(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
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
    },
  };
}
