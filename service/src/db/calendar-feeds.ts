import { createHash } from 'node:crypto';
import type { Sql } from './sql.ts';

/** The stored form of a feed token: its SHA-256 (the token itself is only ever in the URL the CSM holds). */
const hashOf = (token: string) => createHash('sha256').update(token).digest();

/**
 * Creates a user's feed with this token and revokes their earlier ones, in one transaction: a rotation leaves exactly
 * one working URL.
 */
export async function createCalendarFeed(sql: Sql, userId: string, token: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`UPDATE calendar_feeds SET revoked_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL`;
    await tx`INSERT INTO calendar_feeds (user_id, token_hash) VALUES (${userId}, ${hashOf(token)})`;
  });
}

/** Revokes every feed of a user; answers how many were live. */
export async function revokeCalendarFeeds(sql: Sql, userId: string): Promise<number> {
  const rows = await sql`UPDATE calendar_feeds SET revoked_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL RETURNING id`;
  return rows.length;
}

/** The user a live feed token belongs to, or undefined for an unknown or revoked token. */
export async function calendarFeedUser(sql: Sql, token: string): Promise<string | undefined> {
  const [row] = await sql<{ userId: string }[]>`
    SELECT user_id AS "userId" FROM calendar_feeds WHERE token_hash = ${hashOf(token)} AND revoked_at IS NULL`;
  return row?.userId;
}

/** A CSM task or booked meeting as the feed shows it. */
export interface FeedTaskRow {
  id: string;
  opportunityId: string;
  /** The plan the task came from (its stored context says what to mask for a viewer with less field access). */
  actionPlanId: string | null;
  action: string;
  description: string;
  dueDate: string;
  status: string;
  kind: string | null;
  processor: string | null;
  executionResult: unknown;
}

/**
 * The user's feed items: their open CSM tasks with a due date, their cancelled ones the feed has shown (to publish the
 * cancellation), and the meetings booked for them (succeeded meeting-scheduler tasks).
 */
export async function feedTasks(sql: Sql, userId: string): Promise<FeedTaskRow[]> {
  return sql<FeedTaskRow[]>`
    SELECT t.id, t.opportunity_id AS "opportunityId", t.action_plan_id AS "actionPlanId", t.action, t.description, to_char(t.due_date, 'YYYY-MM-DD') AS "dueDate",
           t.status, t.metadata->>'kind' AS kind, t.processor, t.execution_result AS "executionResult"
      FROM workflow_tasks t
     WHERE t.assignee_user_id = ${userId} AND t.parent_task_id IS NULL AND t.due_date IS NOT NULL
       AND (
         (t.owner = 'CSM' AND t.status IN ('pending', 'in_progress', 'snoozed'))
         OR (t.owner = 'CSM' AND t.status = 'cancelled'
             AND EXISTS (SELECT 1 FROM calendar_feed_items i WHERE i.user_id = ${userId} AND i.uid = 'task-' || t.id::text))
         OR (t.processor = 'meeting-scheduler' AND t.execution_status = 'success' AND t.status <> 'cancelled')
       )
     ORDER BY t.due_date, t.id`;
}

/** A next workflow scheduled on one of the user's renewals, as the feed shows it. */
export interface FeedWorkflowRow {
  id: string;
  opportunityId: string;
  name: string;
  triggerDate: string;
  status: string;
}

/** The next workflows scheduled on the renewals whose CSM is the user (and cancelled ones the feed has shown). */
export async function feedWorkflows(sql: Sql, userId: string): Promise<FeedWorkflowRow[]> {
  return sql<FeedWorkflowRow[]>`
    SELECT s.id, s.opportunity_id AS "opportunityId", s.name, to_char(s.trigger_date, 'YYYY-MM-DD') AS "triggerDate", s.status
      FROM scheduled_workflows s JOIN workflow_executions e ON e.id = s.source_execution_id
     WHERE e.csm_user_id = ${userId}
       AND (s.status = 'scheduled'
            OR (s.status = 'cancelled'
                AND EXISTS (SELECT 1 FROM calendar_feed_items i WHERE i.user_id = ${userId} AND i.uid = 'workflow-' || s.id::text)))
     ORDER BY s.trigger_date, s.id`;
}

/**
 * Records each item's fingerprint and answers its SEQUENCE: 0 when first served, one more each time it changed.
 * Concurrency: two fetches of the same feed race on the item's row; ON CONFLICT's UPDATE locks it and re-checks the
 * fingerprint against the newest version (READ COMMITTED), so one change bumps the sequence once.
 */
export async function feedSequences(sql: Sql, userId: string, items: { uid: string; fingerprint: string }[]): Promise<Map<string, number>> {
  if (items.length === 0) return new Map();
  const rows = await sql<{ uid: string; sequence: number }[]>`
    INSERT INTO calendar_feed_items (user_id, uid, fingerprint)
    SELECT ${userId}, uid, fingerprint FROM unnest(${items.map((i) => i.uid)}::text[], ${items.map((i) => i.fingerprint)}::text[]) AS x(uid, fingerprint)
    ON CONFLICT (user_id, uid) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, sequence = calendar_feed_items.sequence + 1
      WHERE calendar_feed_items.fingerprint <> EXCLUDED.fingerprint
    RETURNING uid, sequence`;
  const changed = new Map(rows.map((r) => [r.uid, r.sequence]));
  const unchanged = items.filter((i) => !changed.has(i.uid)).map((i) => i.uid);
  if (unchanged.length) {
    for (const r of await sql<{ uid: string; sequence: number }[]>`
      SELECT uid, sequence FROM calendar_feed_items WHERE user_id = ${userId} AND uid = ANY(${unchanged}::text[])`)
      changed.set(r.uid, r.sequence);
  }
  return changed;
}
