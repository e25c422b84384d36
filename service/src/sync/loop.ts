import type { Deps } from '../deps.ts';
import { mirrorBackoff, mirrorPendingTasks, reportStuckMirrorTasks } from './mirror.ts';
import { syncTaskStatusFromSalesforce } from './status-sync.ts';

/**
 * The Salesforce sync loop: every interval, mirror tasks still pending (after a crash or an outage) and pull
 * completions made in Salesforce. One run at a time per instance; runs in several instances are harmless
 * because both directions are idempotent.
 */
export function startSalesforceSync(deps: Deps, intervalMs: number, opts: { runAtStart?: boolean } = {}): { stop(): Promise<void>; runOnce(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const runOnce = () => {
    running ??= (async () => {
      try {
        await deps.calendar.refresh();
        await mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, {}, mirrorBackoff(deps.env));
        await reportStuckMirrorTasks(deps.db.sql, deps.log, deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000);
        await syncTaskStatusFromSalesforce(deps);
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
