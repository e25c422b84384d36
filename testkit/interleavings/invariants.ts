import { runEngagementRules } from '../../service/src/engagement/engine.ts';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { mirrorPendingTasks } from '../../service/src/sync/mirror/mirror.ts';
import type { World } from './world.ts';

/**
 * Lets the system settle as the background loop would: the faults are over, then the executors, the completion pull,
 * the engagement rules and the mirror run until a round changes nothing. Returns the rounds it took.
 */
export async function settle(w: World, maxRounds = 10): Promise<number> {
  w.h.org.clearFaults();
  const [a, b] = w.instances;
  for (let round = 1; round <= maxRounds; round++) {
    const runs = (await Promise.all([a.executor.runOnce(), b.executor.runOnce()])).flat();
    await syncTaskStatusFromSalesforce(a.deps);
    const rules = await runEngagementRules(b.deps);
    let mirrored = 0;
    for (let i = 0; i < 5; i++) {
      const report = await mirrorPendingTasks(a.deps.db.sql, a.deps.salesforce, a.deps.log);
      mirrored += report.synced;
      if (report.synced === 0 && report.pending === 0) break;
    }
    const [{ pending } = { pending: 0 }] = await w.h.sql<{ pending: number }[]>`
      SELECT count(*)::int AS pending FROM workflow_tasks WHERE mirror_status = 'pending' AND parent_task_id IS NULL`;
    if (runs.length === 0 && rules.fired === 0 && mirrored === 0 && pending === 0) return round;
  }
  return maxRounds;
}

interface TaskState {
  id: string;
  key: string;
  owner: string;
  status: string;
  executionStatus: string | null;
  executedAt: Date | null;
  mirrorStatus: string;
  lockedUntil: Date | null;
  claimToken: string | null;
  awaitingApproval: boolean;
}

const SALESFORCE_STATUS: Record<string, string> = {
  pending: 'Not Started',
  in_progress: 'In Progress',
  completed: 'Completed',
  snoozed: 'Deferred',
  cancelled: 'Deferred',
};
const FINISHED = new Set(['completed', 'cancelled']);

/** The six invariants of issue 22 on the settled system, Salesforce's side read through jsforce. Returns the violations. */
export async function violations(w: World): Promise<string[]> {
  const out: string[] = [];
  const sql = w.h.sql;
  const tasks = await sql<TaskState[]>`
    SELECT t.id, t.plan_task_key AS key, t.owner, t.status, t.executed_at AS "executedAt",
           CASE WHEN q.claim_token IS NOT NULL THEN 'running' ELSE t.execution_status END AS "executionStatus",
           t.mirror_status AS "mirrorStatus", q.locked_until AS "lockedUntil", q.claim_token AS "claimToken",
           t.awaiting_approval AS "awaitingApproval"
      FROM workflow_tasks t JOIN action_plans p ON p.id = t.action_plan_id LEFT JOIN task_queue q ON q.task_id = t.id
     WHERE t.parent_task_id IS NULL AND p.status = 'finalized' AND t.opportunity_id = ${w.h.discoveryId}`;
  const deps = await sql<{ taskId: string; prerequisiteId: string; status: string; completedAt: Date | null }[]>`
    SELECT d.task_id AS "taskId", d.prerequisite_id AS "prerequisiteId", p.status, p.completed_at AS "completedAt"
      FROM task_dependencies d JOIN workflow_tasks p ON p.id = d.prerequisite_id`;
  const prerequisitesOf = (id: string) => deps.filter((d) => d.taskId === id);
  const blocked = (id: string) => prerequisitesOf(id).some((d) => !FINISHED.has(d.status));
  const { records } = await w.h.deps.salesforce.conn.query<{ Action_Plan_Task_Id__c: string; Status: string; Description: string }>(
    'SELECT Action_Plan_Task_Id__c, Status, Description FROM Task WHERE Action_Plan_Task_Id__c != null',
  );
  const sfTasks = (id: string) => records.filter((r) => r.Action_Plan_Task_Id__c === id);

  for (const t of tasks) {
    const name = `${t.key} (${t.owner}, ${t.status})`;
    // 1. Not completed before a prerequisite (unless Salesforce said so: a fact); not blocked once all are finished.
    if (t.status === 'completed' && blocked(t.id) && !w.completedInSalesforce.has(t.id))
      out.push(`1: ${name} is completed while a prerequisite is unfinished`);
    if (t.mirrorStatus !== 'skipped') {
      const mirrored = sfTasks(t.id);
      // 2. Exactly one Salesforce Task, its Status the task's.
      if (mirrored.length !== 1) out.push(`2: ${name} has ${mirrored.length} Salesforce Tasks`);
      const sf = mirrored[0];
      if (sf) {
        const waiting = !FINISHED.has(t.status) && blocked(t.id) && (t.status === 'pending' || t.status === 'in_progress');
        const expected = waiting ? 'Waiting on someone else' : SALESFORCE_STATUS[t.status];
        if (sf.Status !== expected) out.push(`2: ${name}: its Salesforce Task is "${sf.Status}", expected "${expected}"`);
        const saysNotDone = sf.Description.includes('(not done yet)');
        if (!FINISHED.has(t.status) && saysNotDone !== blocked(t.id))
          out.push(
            `1: ${name}: its Salesforce Description ${saysNotDone ? 'says' : 'does not say'} "not done yet", blocked=${blocked(t.id)}`,
          );
      }
      if (t.mirrorStatus !== 'synced') out.push(`2: ${name} is still ${t.mirrorStatus} for the mirror after settling`);
    }
    if (t.owner === 'AI') {
      // 3. Ran at most once, never while blocked.
      const [{ successes } = { successes: 0 }] = await sql<{ successes: number }[]>`
        SELECT count(*)::int AS successes FROM notifications WHERE task_id = ${t.id} AND kind = 'ai-task-succeeded'`;
      if (successes > 1) out.push(`3: ${name} succeeded ${successes} times`);
      if (t.executionStatus === 'success') {
        const early = prerequisitesOf(t.id).filter(
          (d) => d.status !== 'cancelled' && (!d.completedAt || (t.executedAt && d.completedAt > t.executedAt)),
        );
        if (early.length && !early.every((d) => w.completedInSalesforce.has(d.prerequisiteId)))
          out.push(`3: ${name} ran before a prerequisite was finished`);
      }
      // 5. Nothing running without a lease; every proposal decidable.
      if (t.executionStatus === 'running' && (!t.lockedUntil || !t.claimToken)) out.push(`5: ${name} is running without a lease`);
    }
  }
  const sideEffects = records.filter((r) => /:[a-z-]+$/.test(r.Action_Plan_Task_Id__c));
  for (const key of new Set(sideEffects.map((r) => r.Action_Plan_Task_Id__c)))
    if (sideEffects.filter((r) => r.Action_Plan_Task_Id__c === key).length > 1) out.push(`3: more than one Salesforce Task keyed ${key}`);

  // 4. At most one firing per email, rule and condition; every due firing happened (a reply completes its tracking
  // task unless that task waits for an unfinished prerequisite; a bounce is flagged).
  const firings = await sql<{ emailKey: string; condition: string; n: number }[]>`
    SELECT email_key AS "emailKey", condition, count(*)::int AS n FROM engagement_rule_firings GROUP BY 1, 2`;
  for (const f of firings) if (f.n > 1) out.push(`4: ${f.emailKey} fired ${f.condition} ${f.n} times`);
  for (const e of w.emails) {
    const [tracking] = await sql<
      { replies: number; bounces: number }[]
    >`SELECT replies, bounces FROM email_tracking WHERE id = ${e.trackingId}`;
    const fired = (condition: string) => firings.some((f) => f.emailKey === `sendgrid:${e.emailId}` && f.condition === condition);
    const [monitor] = await sql<{ status: string; planStatus: string }[]>`
      SELECT t.status, p.status AS "planStatus" FROM workflow_tasks t JOIN action_plans p ON p.id = t.action_plan_id WHERE t.id = ${e.monitorTaskId}`;
    const monitorOpen = monitor && !FINISHED.has(monitor.status);
    // A bounced email was never delivered: its reply completes nothing (the rules' own decision, decide.ts).
    if (tracking!.replies > 0 && tracking!.bounces === 0 && !fired('reply') && monitorOpen && !blocked(e.monitorTaskId))
      out.push(`4: ${e.emailId} was replied to but its rule never fired`);
    // A bounce is flagged on a finalized plan (a draft's tasks are the CSM's to choose).
    if (tracking!.bounces > 0 && monitor?.planStatus === 'finalized' && !fired('hard'))
      out.push(`4: ${e.emailId} bounced but its rule never fired`);
  }

  // 5. Every open proposal can still be declined or approved (asked of the API at the very end).
  for (const p of tasks.filter((t) => t.awaitingApproval && t.status !== 'cancelled')) {
    const res = await w.h.api('PATCH', `/api/workflows/tasks/${p.id}`, { status: 'cancelled' });
    if (res.status !== 200) out.push(`5: proposal ${p.key} cannot be declined: ${res.status} ${res.text.slice(0, 200)}`);
  }

  // 6. No request answered 5xx, but for the documented 503 SALESFORCE_UNAVAILABLE while an injected fault lasts (the
  // answer to an upstream outage, with Retry-After: not the service failing).
  const upstream = (x: { status: number; text: string }) => x.status === 503 && x.text.includes('"SALESFORCE_UNAVAILABLE"');
  for (const a of w.answers.filter((x) => x.status >= 500 && !upstream(x)))
    out.push(`6: ${a.what} on ${a.instance} answered ${a.status}: ${a.text}`);
  return out;
}
