import type { ExecutorOptions } from '../../service/src/executor/options.ts';
import type { Sql } from '../../service/src/db/sql.ts';

export const CSM_USER = '0055e0000000001AAA';
export const OPPORTUNITY = '0065e0000000001AAA';

/** An execution and a finalized plan to hang AI tasks on, written directly (the executor tests need no planner). */
export async function seedPlan(sql: Sql, opts: { opportunityId?: string } = {}): Promise<{ executionId: string; planId: string }> {
  const opportunityId = opts.opportunityId ?? OPPORTUNITY;
  const [e] = await sql<{ id: string }[]>`
    INSERT INTO workflow_executions (opportunity_id, account_id, opportunity_name, account_name, stage, urgency, renewal_date, days_to_renewal, started_by, csm_user_id)
    VALUES (${opportunityId}, '0015e0000000001AAA', 'Acme Logistics — FY27 Renewal', 'Acme Logistics', 'Discovery', 'low', '2027-05-09', 165, ${CSM_USER}, ${CSM_USER})
    ON CONFLICT DO NOTHING RETURNING id`;
  const executionId =
    e?.id ?? (await sql<{ id: string }[]>`SELECT id FROM workflow_executions WHERE opportunity_id = ${opportunityId} LIMIT 1`)[0]!.id;
  const [p] = await sql<{ id: string }[]>`
    INSERT INTO action_plans (execution_id, version, status, planner, content, context, created_by)
    VALUES (${executionId}, (SELECT coalesce(max(version), 0) + 1 FROM action_plans WHERE execution_id = ${executionId}), 'draft', 'playbook', '{}', '{}', ${CSM_USER})
    RETURNING id`;
  return { executionId, planId: p!.id };
}

interface AiTaskSpec {
  processor: string;
  metadata?: Record<string, unknown>;
  priority?: number;
  key?: string;
}

/** Inserts queued AI tasks as finalize does (one statement, so one wake-up notification). */
export async function insertAiTasks(
  sql: Sql,
  plan: { executionId: string; planId: string },
  specs: AiTaskSpec[],
  opportunityId = OPPORTUNITY,
): Promise<string[]> {
  if (specs.length === 0) return [];
  const rows = specs.map((s, i) => ({
    action_plan_id: plan.planId,
    execution_id: plan.executionId,
    opportunity_id: opportunityId,
    plan_task_key: s.key ?? `ai-${i + 1}-${Math.random().toString(36).slice(2, 10)}`,
    owner: 'AI',
    action: `AI task ${i + 1} (${s.processor})`,
    priority: s.priority ?? 3,
    metadata: sql.json((s.metadata ?? {}) as never),
    auto_execute: true,
    processor: s.processor,
    execution_status: 'queued',
    assignee_user_id: CSM_USER,
  }));
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const out = await sql<{ id: string }[]>`INSERT INTO workflow_tasks ${sql(rows.slice(i, i + 1000) as never)} RETURNING id`;
    ids.push(...out.map((r) => r.id));
  }
  return ids;
}

/** A CSM task of the plan (not an AI task: never queued), to be a prerequisite or a dependent. */
export async function insertCsmTask(sql: Sql, plan: { executionId: string; planId: string }, key: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, assignee_user_id)
    VALUES (${plan.planId}, ${plan.executionId}, ${OPPORTUNITY}, ${key}, 'CSM', 'Engage the economic buyer (CFO)', ${CSM_USER})
    RETURNING id`;
  return row!.id;
}

/** Polls until `check` returns a truthy value (no fixed sleeps: generous deadline, short interval). */
export async function eventually<T>(check: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * How many tasks are in this execution status as the operator sees it: since migration 0024 a running task is a
 * claimed row of task_queue while its workflow_tasks row still says queued.
 */
export async function countInStatus(sql: Sql, status: 'queued' | 'running' | 'success' | 'failed', ids?: string[]): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM workflow_tasks t LEFT JOIN task_queue q ON q.task_id = t.id
     WHERE CASE WHEN q.claim_token IS NOT NULL THEN 'running' ELSE t.execution_status END = ${status}
       ${ids ? sql`AND t.id IN ${sql(ids)}` : sql``}`;
  return row!.n;
}

/** A task's execution state as the operator sees it (the live claim from task_queue while the task is in it). */
export async function statusOf(sql: Sql, id: string) {
  const [row] = await sql<
    {
      executionStatus: string;
      attempts: number;
      executionResult: any;
      runAfter: Date;
      claimedBy: string | null;
      lastError: string | null;
      status: string;
    }[]
  >`
    SELECT CASE WHEN q.claim_token IS NOT NULL THEN 'running' ELSE t.execution_status END AS "executionStatus",
           coalesce(q.attempts, t.attempts) AS attempts, t.execution_result AS "executionResult",
           coalesce(q.run_after, t.run_after) AS "runAfter", coalesce(q.claimed_by, t.claimed_by) AS "claimedBy",
           t.last_error AS "lastError", t.status
      FROM workflow_tasks t LEFT JOIN task_queue q ON q.task_id = t.id WHERE t.id = ${id}`;
  return row!;
}

/**
 * Executor options for a test: the tick every 5 minutes and the sweep every minute, so within a test only a NOTIFY
 * (or an explicit call) wakes the executor.
 */
export const testExecutorOptions = (workerId: string, o: Partial<ExecutorOptions> = {}): ExecutorOptions => ({
  workerId,
  batchSize: 10,
  leaseMs: 60_000,
  maxAttempts: 3,
  retryDelayMs: 300_000,
  taskTimeoutMs: 60_000,
  cron: '*/5 * * * *',
  sweepMs: 60_000,
  shutdownTimeoutMs: 5_000,
  ...o,
});
