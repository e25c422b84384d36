import { z } from 'zod';
import type { SoqlReader } from './context.ts';

/** The Salesforce Task Status the mirror writes for each state of a plan task. */
export const TaskStatusMap = z.strictObject({
  pending: z.string().min(1),
  inProgress: z.string().min(1),
  completed: z.string().min(1),
  /** Open but blocked by unfinished prerequisites. */
  waiting: z.string().min(1),
  /** Snoozed or cancelled. */
  deferred: z.string().min(1),
});
export type TaskStatusMap = z.infer<typeof TaskStatusMap>;

/** The standard picklist's values: what an org that never customised Task Status has. */
export const STANDARD_TASK_STATUSES: TaskStatusMap = {
  pending: 'Not Started',
  inProgress: 'In Progress',
  completed: 'Completed',
  waiting: 'Waiting on someone else',
  deferred: 'Deferred',
};

interface TaskStatusRow {
  ApiName: string;
  IsClosed: boolean;
  IsDefault: boolean;
}

/**
 * The statuses to write in this org: configured ones (TASK_STATUS_MAP) first, then defaults read from its TaskStatus
 * rows — the default open value for a new task, the first closed value for a done one, a value naming "wait" for a
 * blocked one when there is one — falling back to the standard value when the org has it, else to the nearest
 * meaning (the default open value; for deferred, the first other closed value or the completed one).
 */
export function taskStatusesFor(rows: TaskStatusRow[], configured: Partial<TaskStatusMap> = {}): TaskStatusMap {
  const values = new Set(rows.map((r) => r.ApiName));
  const has = (v: string) => values.has(v);
  const open = rows.filter((r) => !r.IsClosed);
  const closed = rows.filter((r) => r.IsClosed);
  const pending =
    configured.pending ??
    (has(STANDARD_TASK_STATUSES.pending) ? STANDARD_TASK_STATUSES.pending : undefined) ??
    open.find((r) => r.IsDefault)?.ApiName ??
    open[0]?.ApiName;
  const completed =
    configured.completed ?? (has(STANDARD_TASK_STATUSES.completed) ? STANDARD_TASK_STATUSES.completed : undefined) ?? closed[0]?.ApiName;
  if (!pending || !completed) throw new Error('The org has no open or no closed Task Status: set TASK_STATUS_MAP');
  const pick = (standard: string, fallback: string | undefined) => (has(standard) ? standard : fallback);
  return TaskStatusMap.parse({
    pending,
    inProgress: pick(STANDARD_TASK_STATUSES.inProgress, pending),
    completed,
    waiting: pick(STANDARD_TASK_STATUSES.waiting, open.find((r) => /wait/i.test(r.ApiName))?.ApiName ?? pending),
    deferred: pick(STANDARD_TASK_STATUSES.deferred, closed.find((r) => r.ApiName !== completed)?.ApiName ?? completed),
    ...configured,
  });
}

/** Reads the org's Task Status values (one query) and maps them. */
export async function readTaskStatuses(read: SoqlReader, configured: Partial<TaskStatusMap> = {}): Promise<TaskStatusMap> {
  const rows = await read<TaskStatusRow & Record<string, unknown>>(
    'SELECT ApiName, IsClosed, IsDefault FROM TaskStatus ORDER BY SortOrder',
  );
  return taskStatusesFor(rows, configured);
}
