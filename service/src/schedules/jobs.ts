import { dueScheduledWorkflows, resurfaceSnoozedTasks } from '../db/schedules.ts';
import type { Deps } from '../deps.ts';
import { startScheduledWorkflow } from './start-scheduled.ts';

/** Snoozed tasks whose time has come are back on the CSM's list. */
export async function resurfaceTasks(deps: Deps): Promise<{ resurfaced: number }> {
  const ids = await resurfaceSnoozedTasks(deps.db.sql, deps.now());
  if (ids.length) deps.log.info('snoozed tasks resurfaced', { count: ids.length });
  return { resurfaced: ids.length };
}

/**
 * Starts every scheduled next-stage workflow whose trigger date has come (as the CSM of the plan that scheduled it)
 * and records the execution it started. Starting is idempotent (one live execution per opportunity and stage), so
 * a crash between the start and the mark only means the next run marks it.
 */
export async function startDueWorkflows(deps: Deps): Promise<{ started: number; failed: number }> {
  let started = 0;
  let failed = 0;
  for (const due of await dueScheduledWorkflows(deps.db.sql, deps.today())) {
    try {
      const result = await startScheduledWorkflow(deps, due.id);
      if (result.notRenewal) {
        deps.log.info('scheduled workflow cancelled: the opportunity is no longer a renewal', { scheduledWorkflowId: due.id });
        continue;
      }
      started++;
      deps.log.info('scheduled workflow started', { scheduledWorkflowId: due.id, stage: due.stage, executionId: result.execution.id });
    } catch (err) {
      failed++;
      deps.log.warn('scheduled workflow did not start; will retry on the next run', {
        scheduledWorkflowId: due.id,
        error: (err as Error).message,
      });
    }
  }
  return { started, failed };
}
