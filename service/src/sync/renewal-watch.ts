import { daysBetween } from '../calendar/dates.ts';
import { notifyReplanNeeded, opportunitiesWithFinalizedPlans } from '../db/notifications.ts';
import { readSyncState, writeSyncState } from '../db/sync-state.ts';
import type { Deps } from '../deps.ts';
import { renewalStageFor } from '../stages/stages.ts';

const CURSOR = 'salesforce-renewal-dates';

/**
 * Notices, without anyone opening the card, that a renewal date moved in Salesforce after a plan was finalized for
 * it: the CSM is told a re-plan is needed (once per new date). Only opportunities with a finalized plan are asked
 * about, changed since the last run; the cursor only moves forward.
 */
export async function watchRenewalDates(deps: Pick<Deps, 'db' | 'salesforce' | 'today' | 'now' | 'stages'>): Promise<{ notified: number }> {
  const sql = deps.db.sql;
  const ids = await opportunitiesWithFinalizedPlans(sql);
  const since =
    (await readSyncState<{ since: string }>(sql, CURSOR))?.since ?? new Date(deps.now().getTime() - 24 * 3600_000).toISOString();
  if (ids.length === 0) return { notified: 0 };
  const changes = await deps.salesforce.changedRenewalDates(ids, since);
  let notified = 0;
  for (const c of changes) {
    const days = daysBetween(deps.today(), c.renewalDate);
    notified += await notifyReplanNeeded(sql, {
      opportunityId: c.opportunityId,
      renewalDate: c.renewalDate,
      daysToRenewal: days,
      stage: renewalStageFor(days, deps.stages).name,
      userId: c.ownerId,
    });
  }
  const latest = changes
    .map((c) => new Date(c.systemModstamp).toISOString())
    .sort()
    .at(-1);
  if (latest && latest > since) await writeSyncState(sql, CURSOR, { since: latest });
  return { notified };
}
