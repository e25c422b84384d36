import type { Sql, TransactionSql } from './sql.ts';

export interface NewNotification {
  userId: string;
  opportunityId: string | null;
  taskId?: string | null;
  planId?: string | null;
  kind: string;
  title: string;
  body: string;
  /** One notification per key, however often the event repeats (retries, several instances). */
  dedupeKey: string;
}

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
