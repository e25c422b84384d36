import { daysBetween } from '../calendar/dates.ts';
import { notifyReplanNeeded, opportunitiesWithFinalizedPlans } from '../db/notifications.ts';
import { readSyncState, writeSyncState } from '../db/sync-state.ts';
import type { Deps } from '../deps.ts';
import type { RenewalDateChange } from '../salesforce/renewal-dates.ts';
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
  const notified = await notifyRenewalDates(deps, changes);
  const latest = changes
    .map((c) => new Date(c.systemModstamp).toISOString())
    .sort()
    .at(-1);
  if (latest && latest > since) await writeSyncState(sql, CURSOR, { since: latest });
  return { notified };
}

/**
 * Tells the CSM a re-plan is needed for each opportunity whose renewal date Salesforce now holds differs from the one
 * its finalized plan was made for (once per new date): the one path of the poll above and of the change events.
 */
export async function notifyRenewalDates(deps: Pick<Deps, 'db' | 'today' | 'stages'>, changes: RenewalDateChange[]): Promise<number> {
  let notified = 0;
  for (const c of changes) {
    const days = daysBetween(deps.today(), c.renewalDate);
    notified += await notifyReplanNeeded(deps.db.sql, {
      opportunityId: c.opportunityId,
      renewalDate: c.renewalDate,
      daysToRenewal: days,
      stage: renewalStageFor(days, deps.stages).name,
      userId: c.ownerId,
    });
  }
  return notified;
}
