import { readSyncState, writeSyncState } from '../db/sync-state.ts';
import { UUID, UUID_TEXT } from '../db/uuid.ts';
import { remirrorOverriddenTasks } from '../db/salesforce-overrides.ts';
import { applySalesforceClosures, type SkippedTask } from '../db/task-provenance.ts';
import type { Deps } from '../deps.ts';
import type { ChangeCursor, SalesforceTaskChange } from '../salesforce/task-mirror.ts';

const CURSOR = 'salesforce-task-status';
const PAGE = 200;
/** Pages read per run at most (the next run goes on from the cursor). */
const MAX_PAGES = 50;
/** How far before the saved cursor each run reads again (see syncTaskStatusFromSalesforce). */
const LOOKBACK_MS = 2 * 60_000;
/** Keys the processors give their own Tasks (`<task id>:audit`): not plan tasks, and not malformed either. */
const PROCESSOR_KEY = new RegExp(`^${UUID_TEXT}:[a-z-]+$`, 'i');

interface StatusSyncReport {
  completed: string[];
  /** Cancelled plan tasks whose Task was closed in Salesforce: not completed, mirrored back to Deferred. */
  remirrored: string[];
  /** Salesforce Task ids carrying a plan task's key that are not the Task the mirror wrote (skipped, reported). */
  skipped: string[];
  /** Finished tasks re-opened, or blocked ones started, in Salesforce: marked for the mirror to write their status back. */
  reasserted: string[];
  /** Salesforce Task ids whose Action_Plan_Task_Id__c is not a plan task id (skipped, reported). */
  malformed: string[];
}

/**
 * Pulls completions made in Salesforce: every mirrored Task whose SystemModstamp moved since the last run and which is
 * now closed completes its plan task, when it is the Task the mirror wrote on the plan's opportunity (any other Task
 * carrying the key is skipped and reported; a cancelled plan task is mirrored back instead: see task-provenance.ts).
 * Pages by keyset on (SystemModstamp, Id), so any number of Tasks sharing one second are all read, and each run reads
 * the last two minutes again; the cursor is saved after every page and always moves forward, whatever a record holds: a Task whose external id is not a plan task id
 * (anyone in the org can type one) is skipped and reported, never retried.
 */
export async function syncTaskStatusFromSalesforce(deps: Pick<Deps, 'db' | 'salesforce' | 'log' | 'now'>): Promise<StatusSyncReport> {
  const sql = deps.db.sql;
  let cursor: ChangeCursor = (await readSyncState<ChangeCursor>(sql, CURSOR)) ?? {
    since: new Date(deps.now().getTime() - 24 * 3600_000).toISOString(),
  };
  const report: StatusSyncReport = { completed: [], remirrored: [], skipped: [], reasserted: [], malformed: [] };
  // Each run starts LOOKBACK_MS before the saved cursor: a Task can carry a SystemModstamp earlier than one already
  // read (stamps have one-second precision and are taken when its transaction ran, not when it became visible), so a
  // cursor alone would skip it for good. What is read again changes nothing (completing, skipping and re-asserting are
  // idempotent); only what lies past the saved cursor is reported as malformed.
  const saved = cursor;
  const pastSaved = (c: SalesforceTaskChange) =>
    !saved.lastId || Date.parse(c.systemModstamp) > Date.parse(saved.since) || c.salesforceTaskId > saved.lastId;
  if (saved.lastId) cursor = { since: new Date(Date.parse(saved.since) - LOOKBACK_MS).toISOString() };
  for (let page = 0; page < MAX_PAGES; page++) {
    const changes = await deps.salesforce.changedTasks(cursor);
    if (changes.length === 0) break;
    const applied = await applyTaskChanges(deps, changes, pastSaved);
    for (const key of ['completed', 'remirrored', 'skipped', 'reasserted', 'malformed'] as const) report[key].push(...applied[key]);
    const last = changes.at(-1)!;
    cursor = { since: new Date(last.systemModstamp).toISOString(), lastId: last.salesforceTaskId };
    await writeSyncState(sql, CURSOR, cursor);
    if (changes.length < PAGE) break;
  }
  return report;
}

/**
 * Applies Tasks as Salesforce holds them now to their plan tasks: a closed Task completes its plan task when it is the
 * Task the mirror wrote on the plan's opportunity (any other Task carrying the key is skipped and reported; a cancelled
 * plan task is mirrored back instead: see task-provenance.ts); a Task whose external id is not a plan task id is skipped
 * and reported. The one path of both the poll above and the change events (sync/change-apply.ts), so a rule added here
 * holds for both.
 */
export async function applyTaskChanges(
  deps: Pick<Deps, 'db' | 'log' | 'salesforce'>,
  changes: SalesforceTaskChange[],
  isNew: (change: SalesforceTaskChange) => boolean = () => true,
): Promise<StatusSyncReport> {
  const malformed = changes.filter((c) => !UUID.test(c.actionPlanTaskId) && !PROCESSOR_KEY.test(c.actionPlanTaskId) && isNew(c));
  if (malformed.length) reportMalformed(deps, malformed);
  const closed = changes
    .filter((c) => c.isClosed && UUID.test(c.actionPlanTaskId))
    .map((c) => ({ taskId: c.actionPlanTaskId.toLowerCase(), salesforceTaskId: c.salesforceTaskId, whatId: c.whatId, status: c.status }));
  const outcome = await applySalesforceClosures(deps.db.sql, closed);
  if (outcome.skipped.length) reportSkipped(deps, outcome.skipped);
  if (outcome.completed.length) deps.log.info('tasks completed in salesforce', { count: outcome.completed.length });
  if (outcome.remirrored.length)
    deps.log.info('cancelled tasks closed in salesforce: kept cancelled, their Tasks mirrored back to Deferred', {
      count: outcome.remirrored.length,
      taskIds: outcome.remirrored.slice(0, 20),
    });
  // A finished task re-opened in Salesforce, a blocked one started there: the mirror writes the service's status back.
  const open = changes.filter((c) => !c.isClosed && UUID.test(c.actionPlanTaskId));
  const reasserted = await remirrorOverriddenTasks(
    deps.db.sql,
    open.map((c) => ({ taskId: c.actionPlanTaskId.toLowerCase(), salesforceTaskId: c.salesforceTaskId, status: c.status })),
    deps.salesforce.taskStatuses,
  );
  if (reasserted.length)
    deps.log.warn('tasks re-opened or started in salesforce against the plan: their status is written back (change them in the app)', {
      taskIds: reasserted.slice(0, 20),
    });
  return {
    completed: outcome.completed,
    remirrored: outcome.remirrored,
    skipped: outcome.skipped.map((s) => s.salesforceTaskId),
    reasserted,
    malformed: malformed.map((c) => c.salesforceTaskId),
  };
}

function reportMalformed(deps: Pick<Deps, 'log'>, rows: SalesforceTaskChange[]): void {
  deps.log.warn('salesforce tasks skipped: Action_Plan_Task_Id__c is not a plan task id (edited in Salesforce?)', {
    count: rows.length,
    tasks: rows.slice(0, 20).map((r) => ({ salesforceTaskId: r.salesforceTaskId, value: JSON.stringify(r.actionPlanTaskId).slice(0, 60) })),
  });
}

function reportSkipped(deps: Pick<Deps, 'log'>, rows: SkippedTask[]): void {
  deps.log.warn('salesforce tasks skipped: not the Task the mirror wrote for that plan task (npm run tasks -- mirrors)', {
    count: rows.length,
    tasks: rows.slice(0, 20).map((r) => ({ salesforceTaskId: r.salesforceTaskId, taskId: r.taskId, whatId: r.whatId, reason: r.reason })),
  });
}
