import { getExecution, type ExecutionRow } from '../read-model/executions.ts';
import { getTask, type TaskRow } from '../read-model/tasks.ts';
import type { Deps } from '../deps.ts';
import { forbidden, notFound } from '../domain-errors.ts';

/** Throws 403 unless the Salesforce user can edit the opportunity (checked through Salesforce), 404 when there is none. */
export async function requireOpportunityAccess(deps: Deps, userId: string, opportunityId: string): Promise<void> {
  if (!(await deps.salesforce.canEdit(userId, opportunityId))) {
    // No access to a record that does not exist: say it does not exist (the integration user sees every opportunity).
    if (!(await deps.salesforce.opportunityExists(opportunityId))) throw notFound(`Opportunity ${opportunityId}`);
    throw forbidden(`User ${userId} cannot edit opportunity ${opportunityId} in Salesforce`);
  }
}

/** An execution the user may act on: 404 when unknown, 403 without edit access to its opportunity. */
export async function executionForUser(deps: Deps, userId: string, id: string): Promise<ExecutionRow> {
  const execution = await getExecution(deps.db.sql, id);
  if (!execution) throw notFound(`Execution ${id}`);
  await requireOpportunityAccess(deps, userId, execution.opportunityId);
  return execution;
}

/** A plan task the user may act on: 404 when unknown, 403 without edit access to its opportunity. */
export async function taskForUser(deps: Deps, userId: string, id: string): Promise<TaskRow> {
  const task = await getTask(deps.db.sql, id);
  if (!task) throw notFound(`Task ${id}`);
  await requireOpportunityAccess(deps, userId, task.opportunityId);
  return task;
}
