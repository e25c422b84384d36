import type { Sql, TransactionSql } from './sql.ts';
import { jsonParam } from './json.ts';

/** A workflow step as stored on the execution (the `steps` JSONB): its state, the CSM's input and its result. */
export interface ExecutionStep {
  id: string;
  name: string;
  type: 'input' | 'analysis' | 'review' | 'planning';
  status: 'pending' | 'done' | 'skipped';
  /** True when the step waits for the CSM's input before it can run. */
  needsInput?: boolean;
  input?: unknown;
  /** A StepResult (workflows/steps/types.ts) once the step ran. */
  result?: Record<string, unknown> | null;
  skipReason?: string | null;
}

export interface ExecutionRow {
  id: string;
  opportunityId: string;
  accountId: string | null;
  opportunityName: string;
  accountName: string | null;
  stage: string;
  urgency: string;
  renewalDate: string;
  daysToRenewal: number;
  status: 'in_progress' | 'completed' | 'cancelled';
  steps: ExecutionStep[];
  startedBy: string;
  csmUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (sql: Sql | TransactionSql) => sql`
  id, opportunity_id AS "opportunityId", account_id AS "accountId", opportunity_name AS "opportunityName",
  account_name AS "accountName", stage, urgency, to_char(renewal_date, 'YYYY-MM-DD') AS "renewalDate",
  days_to_renewal AS "daysToRenewal", status, steps, started_by AS "startedBy", csm_user_id AS "csmUserId",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

type NewExecution = Omit<ExecutionRow, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

/** Creates the execution for an opportunity's stage, or returns the live one (`created` false) if it exists. */
export async function startExecution(sql: Sql, e: NewExecution): Promise<{ execution: ExecutionRow; created: boolean }> {
  const inserted = await sql<ExecutionRow[]>`
    INSERT INTO workflow_executions (opportunity_id, account_id, opportunity_name, account_name, stage, urgency,
      renewal_date, days_to_renewal, steps, started_by, csm_user_id)
    VALUES (${e.opportunityId}, ${e.accountId}, ${e.opportunityName}, ${e.accountName}, ${e.stage}, ${e.urgency},
      ${e.renewalDate}, ${e.daysToRenewal}, ${jsonParam(sql, e.steps)}, ${e.startedBy}, ${e.csmUserId})
    ON CONFLICT (opportunity_id, stage) WHERE status <> 'cancelled' DO NOTHING
    RETURNING ${columns(sql)}`;
  if (inserted[0]) return { execution: inserted[0], created: true };
  const [existing] = await sql<ExecutionRow[]>`
    UPDATE workflow_executions
       SET days_to_renewal = ${e.daysToRenewal}, renewal_date = ${e.renewalDate}, opportunity_name = ${e.opportunityName},
           account_name = ${e.accountName}, updated_at = now()
     WHERE opportunity_id = ${e.opportunityId} AND stage = ${e.stage} AND status <> 'cancelled'
    RETURNING ${columns(sql)}`;
  return { execution: existing!, created: false };
}

export async function getExecution(sql: Sql, id: string): Promise<ExecutionRow | undefined> {
  const [row] = await sql<ExecutionRow[]>`SELECT ${columns(sql)} FROM workflow_executions WHERE id = ${id}`;
  return row;
}

/**
 * The opportunity's execution the card shows: the newest one not cancelled (the stage workflows follow each other, so
 * the newest is the current stage's), or undefined when no workflow was started yet. A read: it creates nothing.
 */
export async function latestExecution(sql: Sql, opportunityId: string): Promise<ExecutionRow | undefined> {
  const [row] = await sql<ExecutionRow[]>`
    SELECT ${columns(sql)} FROM workflow_executions
     WHERE opportunity_id = ${opportunityId} AND status <> 'cancelled'
     ORDER BY created_at DESC, id DESC LIMIT 1`;
  return row;
}

/**
 * The opportunities that have a live or finished action-plan execution (not only cancelled ones): the renewals, when
 * the org gives no other way to tell (RENEWAL_CRITERIA's fallback). Sorted, so the query built from them is stable.
 */
export async function opportunityIdsWithExecutions(sql: Sql): Promise<string[]> {
  const rows = await sql<{ opportunityId: string }[]>`
    SELECT DISTINCT opportunity_id AS "opportunityId" FROM workflow_executions
     WHERE status <> 'cancelled' ORDER BY opportunity_id`;
  return rows.map((r) => r.opportunityId);
}

export { columns as executionColumns };
