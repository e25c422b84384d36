import { approveProposedTask, getTask, updateTask, type TaskPatch, type TaskRow } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';
import { conflict } from '../domain-errors.ts';
import { mirrorBackoff, mirrorPendingTasks } from '../sync/mirror/mirror.ts';

/**
 * The one path a task changes by: a CSM's edit through the API, or an engagement rule completing the task that tracks
 * an email. updateTask refuses to complete a task (or a sub-task of one) whose prerequisites are unfinished (409
 * naming them) and, when the task is completed or cancelled, unblocks what waited for it (unblockDependents, in the
 * same transaction). Then the task (or its parent) and the tasks it unblocked are mirrored to Salesforce, whose Tasks
 * go from "Waiting on someone else" to "Not Started"; a mirror failure is left to the sync loop.
 */
export async function changeTask(deps: Deps, id: string, patch: TaskPatch): Promise<TaskRow> {
  const updated = await updateTask(deps.db.sql, id, patch);
  if (!updated) throw conflict(`Task ${id} is running in an executor; cancel or change it once the run has ended`);
  const mirrorIds = [updated.parentTaskId ?? updated.id, ...updated.unblocked];
  await mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, { taskIds: mirrorIds }, mirrorBackoff(deps.env)).catch((err: Error) =>
    deps.log.warn('salesforce mirror deferred', { taskIds: mirrorIds, error: err.message }),
  );
  return (await getTask(deps.db.sql, id))!;
}

/** Approves an AI task proposed after finalize: it is queued for the executor. A conflict when it is not waiting for approval. */
export async function approveTask(deps: Deps, id: string): Promise<TaskRow> {
  const approved = await approveProposedTask(deps.db.sql, id);
  if (!approved) throw conflict(`Task ${id} is not waiting for approval`);
  return approved;
}
