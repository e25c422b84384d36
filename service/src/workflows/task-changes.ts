import { getTask, updateTask, type TaskPatch, type TaskRow } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';
import { conflict } from '../domain-errors.ts';
import { mirrorBackoff, mirrorPendingTasks } from '../sync/mirror.ts';

/**
 * The one path a task changes by: a CSM's edit through the API, or an engagement rule completing the task that tracks
 * an email. Updates it, then mirrors it (or its parent) to Salesforce; a mirror failure is left to the sync loop.
 */
export async function changeTask(deps: Deps, id: string, patch: TaskPatch): Promise<TaskRow> {
  const updated = await updateTask(deps.db.sql, id, patch);
  if (!updated) throw conflict(`Task ${id} is running in an executor; cancel or change it once the run has ended`);
  const mirrorId = updated.parentTaskId ?? updated.id;
  await mirrorPendingTasks(deps.db.sql, deps.salesforce, deps.log, { taskIds: [mirrorId] }, mirrorBackoff(deps.env)).catch((err: Error) =>
    deps.log.warn('salesforce mirror deferred', { taskId: mirrorId, error: err.message }),
  );
  return (await getTask(deps.db.sql, id))!;
}
