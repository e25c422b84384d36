import { notify, type NewNotification } from './notifications.ts';
import { addPlanTask, type NewPlanTask } from './processor-port.ts';
import type { Sql } from './sql.ts';

/** A contact role of a plan's stored CRM context (what the rules need of it to name the person an email went to). */
export interface ContextContact {
  contactId: string;
  contact: { name: string; email: string | null; accountId: string | null };
}

/** A tracked email with its plan, stage and tracking task, as the engagement rules read it. */
export interface TrackedEmailRow {
  trackingId: string;
  provider: 'sendgrid' | 'mailgun' | 'none';
  emailId: string;
  subject: string;
  sentTo: string;
  sentAt: Date;
  opens: number;
  clicks: number;
  replies: number;
  bounces: number;
  bouncedAt: Date | null;
  bounceReason: string | null;
  opportunityId: string;
  planId: string;
  executionId: string;
  planFinalized: boolean;
  stage: string;
  userId: string | null;
  trackerKey: string;
  monitorTaskId: string | null;
  monitorStatus: string | null;
  accountId: string | null;
  contactRoles: ContextContact[] | null;
}

/**
 * Tracked emails for the rules: those of finalized plans whose tracking task is still open (what the schedule checks),
 * or the given ones (what a webhook's events just moved).
 */
export async function trackedEmailsForRules(sql: Sql, only?: { trackingIds: string[] }): Promise<TrackedEmailRow[]> {
  if (only && only.trackingIds.length === 0) return [];
  const scope = only
    ? sql`t.id IN ${sql(only.trackingIds)}`
    : sql`p.status = 'finalized' AND coalesce(m.status, 'pending') NOT IN ('completed', 'cancelled')`;
  return sql<TrackedEmailRow[]>`
    SELECT t.id AS "trackingId", t.provider, t.email_id AS "emailId", t.email_subject AS subject, t.sent_to AS "sentTo",
           coalesce(t.sent_at, t.created_at) AS "sentAt", t.opens, t.clicks, t.replies, t.bounces,
           t.bounced_at AS "bouncedAt", t.bounce_reason AS "bounceReason",
           k.opportunity_id AS "opportunityId", k.action_plan_id AS "planId", k.execution_id AS "executionId",
           p.status = 'finalized' AS "planFinalized", e.stage, coalesce(k.assignee_user_id, e.csm_user_id) AS "userId",
           k.plan_task_key AS "trackerKey", m.id AS "monitorTaskId", m.status AS "monitorStatus",
           p.context->'account'->>'id' AS "accountId", p.context->'contactRoles' AS "contactRoles"
      FROM email_tracking t
      JOIN workflow_tasks k ON k.id = t.task_id
      JOIN action_plans p ON p.id = k.action_plan_id
      JOIN workflow_executions e ON e.id = k.execution_id
      LEFT JOIN LATERAL (
        SELECT id, status FROM workflow_tasks m
         WHERE m.action_plan_id = k.action_plan_id AND m.metadata->>'monitorsTaskId' = t.task_id::text LIMIT 1) m ON true
     WHERE ${scope}`;
}

/** A finalized plan whose opportunity's own Salesforce emails the rules read. */
export interface FinalizedPlanRow {
  opportunityId: string;
  planId: string;
  executionId: string;
  stage: string;
  userId: string | null;
  accountId: string | null;
  contactRoles: ContextContact[] | null;
}

export async function finalizedPlansForRules(sql: Sql): Promise<FinalizedPlanRow[]> {
  return sql<FinalizedPlanRow[]>`
    SELECT e.opportunity_id AS "opportunityId", p.id AS "planId", e.id AS "executionId", e.stage, e.csm_user_id AS "userId",
           p.context->'account'->>'id' AS "accountId", p.context->'contactRoles' AS "contactRoles"
      FROM action_plans p JOIN workflow_executions e ON e.id = p.execution_id
     WHERE p.status = 'finalized'`;
}

/** One rule firing: recorded once per (email, rule, condition), with the task it adds or annotates and the CSM's notification. */
interface RuleFiring {
  emailKey: string;
  rule: string;
  condition: string;
  opportunityId: string;
  planId: string;
  explanation: string;
  firedAt: Date;
  /** A task to add to the plan, with the explanation. */
  newTask?: NewPlanTask;
  /** An existing task the rule changed; it gets the explanation. */
  changedTaskId?: string;
  notification: Omit<NewNotification, 'dedupeKey' | 'taskId'> | null;
}

/**
 * Records a firing and does its work in one transaction: nothing when the (email, rule, condition) already fired, so
 * any number of instances, or a webhook and the schedule at once, add one task and send one notification.
 */
export async function fireRule(sql: Sql, f: RuleFiring): Promise<{ fired: boolean; taskId: string | null }> {
  return sql.begin(async (txn) => {
    const tx = txn as unknown as Sql;
    const [firing] = await tx<{ id: string }[]>`
      INSERT INTO engagement_rule_firings (email_key, rule, condition, opportunity_id, action_plan_id, explanation, fired_at)
      VALUES (${f.emailKey}, ${f.rule}, ${f.condition}, ${f.opportunityId}, ${f.planId}, ${f.explanation}, ${f.firedAt})
      ON CONFLICT (email_key, rule, condition) DO NOTHING RETURNING id`;
    if (!firing) return { fired: false, taskId: null };
    let taskId = f.changedTaskId ?? null;
    if (f.newTask) {
      const { task } = await addPlanTask(tx, { ...f.newTask, explanation: f.explanation });
      taskId = task.id;
    } else if (taskId) {
      await tx`UPDATE workflow_tasks SET explanation = ${f.explanation}, updated_at = now() WHERE id = ${taskId}`;
    }
    await tx`UPDATE engagement_rule_firings SET task_id = ${taskId} WHERE id = ${firing.id}`;
    if (f.notification) await notify(tx, [{ ...f.notification, taskId, dedupeKey: `engagement:${f.emailKey}:${f.rule}:${f.condition}` }]);
    return { fired: true, taskId };
  });
}
