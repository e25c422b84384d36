import { readCursor, writeCursor } from '../db/sync-state.ts';
import { completeTasksFromSalesforce } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';

const CURSOR = 'salesforce-task-status';

/**
 * Pulls completions made in Salesforce: every mirrored Task whose SystemModstamp moved since the last run and
 * which is now closed completes its plan task. The cursor only moves forward, and a repeated change is a no-op.
 */
export async function syncTaskStatusFromSalesforce(deps: Pick<Deps, 'db' | 'salesforce' | 'log' | 'now'>): Promise<{ completed: string[] }> {
  const sql = deps.db.sql;
  const since = (await readCursor(sql, CURSOR)) ?? new Date(deps.now().getTime() - 24 * 3600_000).toISOString();
  const completed: string[] = [];
  let cursor = since;
  for (let page = 0; page < 50; page++) {
    const changes = await deps.salesforce.changedTasks(cursor);
    const closed = changes.filter((c) => c.isClosed && /^[0-9a-f-]{36}$/i.test(c.actionPlanTaskId)).map((c) => c.actionPlanTaskId);
    completed.push(...(await completeTasksFromSalesforce(sql, closed)));
    const last = changes.at(-1)?.systemModstamp;
    if (!last || new Date(last).toISOString() === new Date(cursor).toISOString() || changes.length < 200) {
      if (last) cursor = new Date(last).toISOString();
      break;
    }
    cursor = new Date(last).toISOString();
  }
  await writeCursor(sql, CURSOR, cursor);
  if (completed.length) deps.log.info('tasks completed in salesforce', { count: completed.length });
  return { completed };
}
