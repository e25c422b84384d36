import { Leadership } from '../db/leadership.ts';
import type { Deps } from '../deps.ts';
import type { PubSubEndpoint } from '../salesforce/pubsub/client.ts';
import { ChangeSubscriber } from './change-subscriber.ts';
import { mirrorBackoff, mirrorPendingTasks, reportStuckMirrorTasks } from './mirror/mirror.ts';
import { sendSalesforceNotifications } from './salesforce-notifications.ts';
import { watchRenewalDates } from './renewal-watch.ts';
import { syncTaskStatusFromSalesforce } from './status-sync.ts';
import { SyncStatus } from './sync-status.ts';

/**
 * The Salesforce sync loop: every interval, re-read the org's business calendar when it is due, mirror tasks still
 * pending whose backoff passed (after a crash or an outage), report those waiting too long, pull completions made in
 * Salesforce, notice renewal dates moved under a finalized plan, and send the notifications
 * still due to Salesforce. Only the sync leader runs it (one instance at a time, an advisory lock), so its fixed cost,
 * its queries per interval, does not grow with the number of instances; when the leader stops or dies, another
 * instance takes over at its next interval.
 *
 * With `pubsub`, the leader also subscribes to Change Data Capture events (sync/change-subscriber.ts): while every
 * channel streams, the completion and renewal-date polls run only as a catch-up every `catchUpMs` (15 minutes by
 * default); while not (connection lost, CDC not enabled, SF_PUBSUB=off), at every interval as before.
 */
export function startSalesforceSync(
  deps: Deps,
  intervalMs: number,
  opts: { runAtStart?: boolean; pubsub?: PubSubEndpoint; catchUpMs?: number; status?: SyncStatus } = {},
): { stop(): Promise<void>; runOnce(): Promise<void>; status: SyncStatus } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const leader = new Leadership(deps.db.sql, 'renewal-action-plans:salesforce-sync');
  const status = opts.status ?? new SyncStatus();
  status.disabled = opts.pubsub ? 'not leading' : 'SF_PUBSUB=off';
  const catchUpMs = opts.catchUpMs ?? 15 * 60_000;
  let lastCatchUp: number | undefined;
  let catchingUp = Promise.resolve();
  /**
   * The polls that change events replace: run at every interval in poll mode, as a catch-up in stream mode, and when
   * the subscriber lost events. One at a time (the loop and the subscriber may both ask), so their cursors only move forward.
   */
  const catchUp = () =>
    (catchingUp = catchingUp.then(async () => {
      lastCatchUp = deps.now().getTime();
      for (const [part, run] of [
        ['completions', () => syncTaskStatusFromSalesforce(deps)],
        ['renewal dates', () => watchRenewalDates(deps)],
      ] as const)
        await run().catch((err: Error) => deps.log.warn('salesforce sync failed; will retry', { part, error: err.message }));
    }));
  const catchUpDue = () => status.mode === 'poll' || lastCatchUp === undefined || deps.now().getTime() - lastCatchUp >= catchUpMs;
  const subscriber = opts.pubsub ? new ChangeSubscriber(deps, { endpoint: opts.pubsub, status, catchUp }) : undefined;
  const runOnce = () => {
    running ??= (async () => {
      // Each part on its own: one failing (say, the renewal-date query) does not hold the others back.
      const parts: [string, () => Promise<unknown>][] = [
        // First, so the parts below count business days on the org's current calendar (re-read at most hourly).
        ['calendar', () => deps.calendar.refresh()],
        ['mirror', () => mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, {}, mirrorBackoff(deps.env))],
        ['stuck mirrors', () => reportStuckMirrorTasks(deps.db.sql, deps.log, deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000)],
        ['completions and renewal dates', () => (catchUpDue() ? catchUp() : Promise.resolve())],
        ['notifications', () => sendSalesforceNotifications(deps)],
      ];
      try {
        const leading = await leader.acquire().catch((err: Error) => {
          deps.log.warn('salesforce sync failed; will retry', { part: 'leadership', error: err.message });
          return false;
        });
        if (!leading) {
          // Another instance leads (or this one lost its lock): only the leader subscribes.
          if (subscriber?.running) await subscriber.stop();
          return;
        }
        if (!stopped) subscriber?.start();
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
    status,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await subscriber?.stop();
      await leader.release();
    },
  };
}
