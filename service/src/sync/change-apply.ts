import { opportunitiesWithFinalizedPlans } from '../db/notifications.ts';
import type { Deps } from '../deps.ts';
import type { ChangeEvent } from '../salesforce/pubsub/change-event.ts';
import { EXTERNAL_ID_FIELD } from '../salesforce/task-mirror.ts';
import { notifyRenewalDates } from './renewal-watch.ts';
import { applyTaskChanges } from './status-sync.ts';

/** The change event channels the service subscribes to, and the object each carries. */
export const CHANNELS = { task: '/data/TaskChangeEvent', opportunity: '/data/OpportunityChangeEvent' } as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** What applying a batch did; `catchUp` asks for the poll's full catch-up (the events could not say what changed). */
interface Applied {
  reread: string[];
  catchUp: boolean;
}

/** Fields of a Task whose change can complete or re-open a plan task (IsClosed is a formula of Status: not in events). */
const TASK_FIELDS = ['Status', EXTERNAL_ID_FIELD, 'WhatId'];

// Gap events carry no field values ("the change event contains only the header"): what changed must be read again.
const GAP = /^GAP_(CREATE|UPDATE|UNDELETE)$/;

/**
 * Applies a batch of change events through the same paths as the poll: the records they name are read again with the
 * poll's own query restricted to their ids, then applied by the poll's own functions (applyTaskChanges,
 * notifyRenewalDates), so every rule of the poll holds for events too. Only events that can matter are followed: a Task
 * whose Status, external id or WhatId changed; an opportunity with a finalized plan whose renewal date changed.
 * GAP_OVERFLOW (too many changes in one transaction for events) asks for a full catch-up.
 */
export async function applyChangeEvents(
  deps: Pick<Deps, 'db' | 'salesforce' | 'log' | 'today' | 'stages' | 'env'>,
  channel: Channel,
  events: ChangeEvent[],
): Promise<Applied> {
  const catchUp = events.some((e) => e.header.changeType === 'GAP_OVERFLOW');
  const ids = new Set<string>();
  for (const e of events) if (matters(e, channel, deps.env.SF_RENEWAL_DATE_FIELD)) for (const id of e.header.recordIds) ids.add(id);
  if (ids.size === 0) return { reread: [], catchUp };
  if (channel === CHANNELS.task) {
    const changes = await deps.salesforce.mirroredTasks([...ids]);
    const report = await applyTaskChanges(deps, changes);
    if (report.completed.length) deps.log.info('tasks completed in salesforce', { count: report.completed.length, via: 'change events' });
  } else {
    const planned = new Set(await opportunitiesWithFinalizedPlans(deps.db.sql));
    const watched = [...ids].filter((id) => planned.has(id));
    if (watched.length === 0) return { reread: [], catchUp };
    // Since the epoch: the event says it changed; the query only restricts to the ids.
    const changes = await deps.salesforce.changedRenewalDates(watched, new Date(0).toISOString());
    await notifyRenewalDates(deps, changes);
    return { reread: watched, catchUp };
  }
  return { reread: [...ids], catchUp };
}

function matters(e: ChangeEvent, channel: Channel, renewalDateField: string | undefined): boolean {
  const type = e.header.changeType;
  if (GAP.test(type)) return true;
  if (channel === CHANNELS.task) {
    if (type === 'CREATE' || type === 'UNDELETE') return e.fields[EXTERNAL_ID_FIELD] != null;
    return type === 'UPDATE' && e.changedFields.some((f) => TASK_FIELDS.includes(f));
  }
  const renewalFields = ['CloseDate', ...(renewalDateField ? [renewalDateField] : [])];
  return type === 'UPDATE' && e.changedFields.some((f) => renewalFields.includes(f));
}
