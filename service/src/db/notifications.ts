import type { Sql, TransactionSql } from './sql.ts';

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
  | 'mirror-failed'
  | 'mirror-stuck';

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
    title: n.title,
    body: n.body,
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

export interface NotificationRow {
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
