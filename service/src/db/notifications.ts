import type { Sql, TransactionSql } from './sql.ts';
import { redactSecrets } from '../secrets.ts';

/** What a notification is about. */
export type NotificationKind =
  | 'plan-finalized'
  | 'plan-updated'
  | 'ai-task-succeeded'
  | 'ai-task-failed'
  | 'task-resurfaced'
  | 'workflow-rescheduled'
  | 'email-open'
  | 'email-reply'
  | 'engagement-follow-up'
  | 'engagement-completed'
  | 'email-bounced'
  | 'mirror-failed'
  | 'mirror-stuck'
  | 'replan-needed';

export interface NewNotification {
  userId: string;
  opportunityId: string | null;
  taskId?: string | null;
  planId?: string | null;
  kind: NotificationKind;
  title: string;
  body: string;
  /** One notification per key, however often the event repeats (retries, several instances). */
  dedupeKey: string;
}

/** Writes notifications, each once per dedupe key. */
export async function notify(sql: Sql | TransactionSql, notes: NewNotification[]): Promise<void> {
  if (notes.length === 0) return;
  const rows = notes.map((n) => ({
    user_id: n.userId,
    opportunity_id: n.opportunityId,
    task_id: n.taskId ?? null,
    plan_id: n.planId ?? null,
    kind: n.kind,
    // A body can quote what a provider or Salesforce answered: stored (and later shown) without secrets.
    title: redactSecrets(n.title),
    body: redactSecrets(n.body),
    dedupe_key: n.dedupeKey,
  }));
  await sql`INSERT INTO notifications ${sql(rows)} ON CONFLICT (dedupe_key) DO NOTHING`;
}

/** A notification kind as a query parameter, checked against NotificationKind. */
export const kind = (k: NotificationKind): string => k;

/**
 * The notifications of a set-based write, as a fragment for a data-modifying CTE: `rows` selects, in order,
 * user_id, opportunity_id, task_id, plan_id, kind (a NotificationKind), title, body and dedupe_key.
 * @example sql`WITH back AS (UPDATE ... RETURNING ...), note AS (${notificationsFrom(sql, sql`SELECT ... FROM back`)}) SELECT id FROM back`
 */
export function notificationsFrom(sql: Sql | TransactionSql, rows: ReturnType<Sql>) {
  return sql`INSERT INTO notifications (user_id, opportunity_id, task_id, plan_id, kind, title, body, dedupe_key) ${rows} ON CONFLICT (dedupe_key) DO NOTHING`;
}

interface NotificationRow {
  id: string;
  opportunityId: string | null;
  taskId: string | null;
  planId: string | null;
  kind: string;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}

/** A user's notifications, newest first (optionally unread only), one page. */
export async function notificationsOf(sql: Sql, userId: string, opts: { unreadOnly: boolean; limit: number }): Promise<NotificationRow[]> {
  return sql<NotificationRow[]>`
    SELECT id, opportunity_id AS "opportunityId", task_id AS "taskId", plan_id AS "planId", kind, title, body,
           read_at AS "readAt", created_at AS "createdAt"
      FROM notifications
     WHERE user_id = ${userId} ${opts.unreadOnly ? sql`AND read_at IS NULL` : sql``}
     ORDER BY created_at DESC, id DESC LIMIT ${opts.limit}`;
}

/** Marks the user's own notification read; undefined when it is not theirs (or does not exist). */
export async function markRead(sql: Sql, userId: string, id: string): Promise<{ id: string } | undefined> {
  const [row] = await sql<{ id: string }[]>`
    UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = ${id} AND user_id = ${userId} RETURNING id`;
  return row;
}

/**
 * Tells the CSM, once per new date, that a finalized plan was made for another renewal date than the one Salesforce
 * holds now, so its tasks are dated for the old one: a re-plan is needed. `stage` is the stage the new date puts the
 * opportunity in; the body says when that differs from the plan's.
 */
export async function notifyReplanNeeded(
  sql: Sql,
  r: { opportunityId: string; renewalDate: string; daysToRenewal: number; stage: string; userId: string },
): Promise<number> {
  const rows = await sql`
    ${notificationsFrom(
      sql,
      sql`SELECT ${r.userId}, e.opportunity_id, NULL::uuid, p.id, ${kind('replan-needed')}::text, 'Renewal date moved: re-plan ' || e.opportunity_name,
                 'The renewal date moved from ' || (p.context->'opportunity'->>'renewalDate') || ' to ' || ${r.renewalDate} || ' (' ||
                 ${r.daysToRenewal} || ' days to renewal, the ' || ${r.stage} || ' stage' ||
                 CASE WHEN e.stage <> ${r.stage} THEN '; the plan was made for ' || e.stage ELSE '' END ||
                 '). Re-plan so the tasks follow the new date.',
                 'replan-needed:' || p.id || ':' || ${r.renewalDate}
            FROM action_plans p JOIN workflow_executions e ON e.id = p.execution_id
           WHERE e.opportunity_id = ${r.opportunityId} AND p.status = 'finalized'
             AND p.context->'opportunity'->>'renewalDate' <> ${r.renewalDate}`,
    )}
    RETURNING id`;
  return rows.length;
}

/** The opportunities that have a finalized plan: the ones whose renewal date the sync loop watches. */
export async function opportunitiesWithFinalizedPlans(sql: Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    SELECT DISTINCT e.opportunity_id AS id FROM action_plans p JOIN workflow_executions e ON e.id = p.execution_id WHERE p.status = 'finalized'`;
  return rows.map((r) => r.id);
}
