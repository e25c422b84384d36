import type { ExecutionRow, ExecutionStep } from './executions.ts';
import { executionColumns } from './executions.ts';
import type { Sql } from './sql.ts';
import type { OpenTask } from '../workflows/steps/types.ts';
import { redactSecretValuesIn } from '../secret-values.ts';
import { jsonParam } from './json.ts';

type StepsUpdate = (steps: ExecutionStep[], execution: ExecutionRow) => ExecutionStep[];

/**
 * Changes an execution's steps under the row's lock, so two submissions of different steps cannot overwrite each
 * other. `update` must be pure and quick (it runs inside the transaction); it may throw to abort. Returns the
 * updated execution.
 */
export async function updateExecutionSteps(sql: Sql, executionId: string, update: StepsUpdate): Promise<ExecutionRow | undefined> {
  return sql.begin(async (tx) => {
    const [row] = await tx<ExecutionRow[]>`SELECT ${executionColumns(tx)} FROM workflow_executions WHERE id = ${executionId} FOR UPDATE`;
    if (!row) return undefined;
    // A step's result can quote a model's or a provider's words: stored without any configured secret.
    const steps = redactSecretValuesIn(update(structuredClone(row.steps), row));
    const [updated] = await tx<ExecutionRow[]>`
      UPDATE workflow_executions SET steps = ${jsonParam(tx, steps)}, updated_at = now()
       WHERE id = ${executionId}
      RETURNING ${executionColumns(tx)}`;
    return updated;
  });
}

/** A task of an earlier execution of the same opportunity that is still open (carried into this one). */
interface CarriedTaskRow extends OpenTask {
  executionId: string;
}

/**
 * The open top-level tasks of the opportunity's earlier executions: CSM tasks not completed or cancelled, and
 * AI tasks that have not succeeded. They stay visible in every later stage until they are closed.
 */
export async function carriedOverTasks(
  sql: Sql,
  execution: Pick<ExecutionRow, 'id' | 'opportunityId' | 'createdAt'>,
): Promise<CarriedTaskRow[]> {
  return sql<CarriedTaskRow[]>`
    SELECT t.id, t.action, t.owner, t.status, to_char(t.due_date, 'YYYY-MM-DD') AS "dueDate", t.priority, e.stage,
           t.execution_status AS "executionStatus", t.execution_id AS "executionId"
      FROM workflow_tasks t JOIN workflow_executions e ON e.id = t.execution_id
     WHERE t.opportunity_id = ${execution.opportunityId} AND t.execution_id <> ${execution.id}
       AND e.created_at < ${execution.createdAt} AND t.parent_task_id IS NULL
       AND t.status NOT IN ('completed', 'cancelled')
       AND (t.owner <> 'AI' OR t.execution_status IS DISTINCT FROM 'success')
     ORDER BY t.due_date NULLS LAST, t.priority, t.created_at`;
}
