import { STANDARD_TASK_STATUSES, type TaskStatusMap } from './task-statuses.ts';
import type { Connection } from 'jsforce';
import { recordError, SalesforceError, toSalesforceError, type SaveResult } from './errors.ts';
import { withRetry, type RetryPolicy, type WriteGate } from './retry.ts';
import { SALESFORCE_ID, soqlId } from './ids.ts';
import { soqlDateTime, soqlIdList } from './soql.ts';
import { plural } from '../words.ts';

/** The external id field on Task that keys every mirrored record, so repeating a mirror never duplicates. */
export const EXTERNAL_ID_FIELD = 'Action_Plan_Task_Id__c';
/** Salesforce's limit of records per sObject collection call. */
const COLLECTION_LIMIT = 200;

export interface MirrorTask {
  id: string;
  opportunityId: string;
  ownerUserId: string;
  contactId: string | null;
  subject: string;
  description: string;
  dueDate: string | null;
  priority: number;
  status: 'pending' | 'in_progress' | 'completed' | 'snoozed' | 'cancelled';
  /** An open task waiting for unfinished prerequisites: "Waiting on someone else" until they are done. */
  waiting?: boolean;
}

export interface MirrorOutcome {
  taskId: string;
  salesforceTaskId?: string;
  error?: SalesforceError;
}

const PRIORITY = (p: number) => (p <= 2 ? 'High' : p === 3 ? 'Normal' : 'Low');
const STATUS: Record<MirrorTask['status'], keyof TaskStatusMap> = {
  pending: 'pending',
  in_progress: 'inProgress',
  completed: 'completed',
  snoozed: 'deferred',
  cancelled: 'deferred',
};

/**
 * The standard Task record a plan task is mirrored as, with the org's own Status values (task-statuses.ts). A blocked
 * task is open but not startable ("Waiting on someone else" in the standard picklist); when its prerequisites are done
 * it is mirrored again as pending (or in progress): visible as active work.
 */
export function taskRecord(t: MirrorTask, statuses: TaskStatusMap = STANDARD_TASK_STATUSES): Record<string, unknown> {
  return {
    [EXTERNAL_ID_FIELD]: t.id,
    WhatId: t.opportunityId,
    WhoId: t.contactId,
    OwnerId: t.ownerUserId,
    Subject: t.subject.slice(0, 255),
    Description: t.description.slice(0, 32_000),
    ActivityDate: t.dueDate,
    Priority: PRIORITY(t.priority),
    Status: statuses[t.waiting && (t.status === 'pending' || t.status === 'in_progress') ? 'waiting' : STATUS[t.status]],
  };
}

/**
 * Upserts tasks as Salesforce Task records on the external id, at most 200 per call. A failed call is retried
 * when retryable; records that fail individually inside a 200 response are retried too when their error is
 * retryable, and otherwise reported as failures (never as successes).
 */
export async function mirrorTasks(
  conn: Connection,
  tasks: MirrorTask[],
  opts: { gate?: WriteGate; policy?: RetryPolicy; statuses?: TaskStatusMap } = {},
): Promise<MirrorOutcome[]> {
  const outcomes = new Map<string, MirrorOutcome>();
  for (let i = 0; i < tasks.length; i += COLLECTION_LIMIT) {
    let pending = tasks.slice(i, i + COLLECTION_LIMIT);
    const lastErrors = new Map<string, SalesforceError>();
    try {
      await withRetry(
        async () => {
          const results = (await conn.sobject('Task').upsert(pending.map((t) => taskRecord(t, opts.statuses)) as never, EXTERNAL_ID_FIELD, {
            allOrNone: false,
          })) as unknown as SaveResult[];
          const retry: MirrorTask[] = [];
          lastErrors.clear();
          pending.forEach((task, k) => {
            const result = results[k];
            const error = result ? recordError(result) : new SalesforceError('no result for record', 'MISSING_RESULT', 'retryable');
            if (!error) outcomes.set(task.id, { taskId: task.id, salesforceTaskId: result!.id ?? undefined });
            else if (error.retryable) {
              retry.push(task);
              lastErrors.set(task.id, error);
            } else outcomes.set(task.id, { taskId: task.id, error });
          });
          if (retry.length) {
            pending = retry;
            throw new SalesforceError(`${plural(retry.length, 'record')} failed with a retryable error`, 'PARTIAL_RETRYABLE', 'retryable');
          }
        },
        { gate: opts.gate, policy: opts.policy },
      );
    } catch (raw) {
      const error = toSalesforceError(raw);
      for (const task of pending)
        if (!outcomes.has(task.id)) outcomes.set(task.id, { taskId: task.id, error: lastErrors.get(task.id) ?? error });
    }
  }
  return tasks.map((t) => outcomes.get(t.id)!);
}

export interface SalesforceTaskChange {
  salesforceTaskId: string;
  actionPlanTaskId: string;
  /** The record the Task is on: a plan task's Task speaks for it only on the plan's opportunity. */
  whatId: string | null;
  status: string;
  isClosed: boolean;
  systemModstamp: string;
}

/**
 * Where the completion pull stands: the SystemModstamp and Id of the last Task it read. Keyset paging on
 * (SystemModstamp, Id), as the SOQL guide advises when the sort field has duplicate values: a mass update gives
 * hundreds of Tasks one SystemModstamp second, and paging on the stamp alone would skip or repeat them.
 */
export interface ChangeCursor {
  /** ISO datetime (Salesforce keeps seconds). */
  since: string;
  /** The Id of the last Task read at `since`; absent at the start (then everything at `since` is read). */
  lastId?: string;
}

/** What the completion pull reads of a mirrored Task: one select list and one reading, for the poll and for change events. */
const TASK_CHANGE_FIELDS = `Id, WhatId, Status, IsClosed, ${EXTERNAL_ID_FIELD}, SystemModstamp`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- jsforce's records are untyped JSON, read field by field here
const toTaskChange = (r: Record<string, any>): SalesforceTaskChange => ({
  salesforceTaskId: r.Id,
  actionPlanTaskId: r[EXTERNAL_ID_FIELD],
  whatId: r.WhatId ?? null,
  status: r.Status,
  isClosed: r.IsClosed === true,
  systemModstamp: r.SystemModstamp,
});

/** Mirrored Tasks changed in Salesforce after the cursor, in (SystemModstamp, Id) order, one page. */
export async function changedMirroredTasks(conn: Connection, after: ChangeCursor, limit = 200): Promise<SalesforceTaskChange[]> {
  const at = soqlDateTime(after.since);
  if (after.lastId !== undefined && !SALESFORCE_ID.test(after.lastId))
    throw new SalesforceError(`bad cursor id ${after.lastId}`, 'MALFORMED_ID', 'permanent');
  const position = after.lastId
    ? `(SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > ${soqlId(after.lastId)}))`
    : `SystemModstamp >= ${at}`;
  const soql = `SELECT ${TASK_CHANGE_FIELDS} FROM Task WHERE ${EXTERNAL_ID_FIELD} != null AND ${position} ORDER BY SystemModstamp ASC, Id ASC LIMIT ${limit}`;
  const { records } = await conn.query<Record<string, unknown>>(soql);
  return records.map(toTaskChange);
}

/**
 * The mirrored Tasks among `ids` as Salesforce holds them now (the poll's query restricted to the Tasks a change event
 * named), in (SystemModstamp, Id) order: one query per 200 ids.
 */
export async function mirroredTasksByIds(conn: Connection, ids: string[]): Promise<SalesforceTaskChange[]> {
  const safe = [...new Set(ids)].filter((id) => SALESFORCE_ID.test(id));
  const changes: SalesforceTaskChange[] = [];
  for (let i = 0; i < safe.length; i += COLLECTION_LIMIT) {
    const list = soqlIdList(safe.slice(i, i + COLLECTION_LIMIT));
    const soql = `SELECT ${TASK_CHANGE_FIELDS} FROM Task WHERE ${EXTERNAL_ID_FIELD} != null AND Id IN ${list} ORDER BY SystemModstamp ASC, Id ASC`;
    const { records } = await conn.query<Record<string, unknown>>(soql);
    changes.push(...records.map(toTaskChange));
  }
  return changes;
}
