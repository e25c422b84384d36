import {
  DEFAULT_MIRROR_BACKOFF,
  recordMirrorResults,
  reportStuckMirrors,
  tasksToMirror,
  type MirrorBackoff,
} from '../../db/mirror-queue.ts';
import { prerequisitesOf, unfinished, type Blocker } from '../../db/dependencies.ts';
import { subTasksOf, type TaskRow } from '../../db/tasks.ts';
import { notify } from '../../db/notifications.ts';
import type { Env } from '../../config.ts';
import type { Sql } from '../../db/sql.ts';
import type { Logger } from '../../log.ts';
import type { SalesforceGateway } from '../../salesforce/gateway.ts';
import type { MirrorTask } from '../../salesforce/task-mirror.ts';
import { redactSecrets } from '../../secrets.ts';

interface MirrorReport {
  synced: number;
  failed: number;
  pending: number;
}

/** Salesforce's answer in one line, its code first (once: some messages already start with it). */
const reasonOf = (e: { code: string; message: string }) => (e.message.startsWith(e.code) ? e.message : `${e.code}: ${e.message}`);

/**
 * The Salesforce Task a plan task becomes: sub-tasks appear as a checklist in the description, the tasks it waits for
 * as "Waits for: …" (and, while one is unfinished, the Status "Waiting on someone else"), and a role that could not be
 * filled as its note. It is owned by the user (or queue) finalize resolved from its team role.
 */
export function mirrorTaskOf(task: TaskRow, subTasks: TaskRow[], prerequisites: Blocker[] = []): MirrorTask {
  const checklist = subTasks.length
    ? `\n\nSub-tasks:\n${subTasks.map((s) => `${s.status === 'completed' ? '[x]' : '[ ]'} ${s.action}`).join('\n')}`
    : '';
  const waitsFor = prerequisites.length
    ? `\n\nWaits for: ${prerequisites.map((p) => `${p.action} (${unfinished(p.status) ? 'not done yet' : p.status})`).join('; ')}`
    : '';
  const note = task.assigneeNote ? `\n\nOwner: ${task.assigneeNote}` : '';
  return {
    id: task.id,
    opportunityId: task.opportunityId,
    ownerUserId: task.assigneeQueueId ?? task.assigneeUserId!,
    contactId: task.contactId,
    subject: task.owner === 'AI' ? `[AI] ${task.action}` : task.action,
    description: `${task.description}${checklist}${waitsFor}${note}\n\nRenewal Action Plans task ${task.id}`,
    dueDate: task.dueDate,
    priority: task.priority,
    status: task.status,
    waiting: prerequisites.some((p) => unfinished(p.status)),
  };
}

/** The mirror's backoff from the configuration. */
export function mirrorBackoff(env: Pick<Env, 'MIRROR_RETRY_BASE_SECONDS' | 'MIRROR_RETRY_MAX_SECONDS'>): MirrorBackoff {
  return { baseMs: env.MIRROR_RETRY_BASE_SECONDS * 1000, maxMs: env.MIRROR_RETRY_MAX_SECONDS * 1000 };
}

/**
 * Mirrors every task due (optionally only a plan's or some tasks) to Salesforce Task records. Safe to run at any
 * time and from any instance: the upsert is keyed on the task id. A retryable failure is due again after the backoff,
 * for as long as it takes; a rate limit waits at least until the write pause ends.
 */
export async function mirrorPendingTasks(
  sql: Sql,
  salesforce: SalesforceGateway,
  log: Logger,
  scope: { planId?: string; taskIds?: string[] } = {},
  backoff: MirrorBackoff = DEFAULT_MIRROR_BACKOFF,
): Promise<MirrorReport> {
  const tasks = await tasksToMirror(sql, scope);
  if (tasks.length === 0) return { synced: 0, failed: 0, pending: 0 };
  const readAt = new Map(tasks.map((t) => [t.id, t.updatedAt]));
  const ids = tasks.map((t) => t.id);
  const [subs, prerequisites] = await Promise.all([subTasksOf(sql, ids), prerequisitesOf(sql, ids)]);
  const outcomes = await salesforce.mirror(
    tasks.map((t) =>
      mirrorTaskOf(
        t,
        subs.filter((s) => s.parentTaskId === t.id),
        prerequisites.filter((p) => p.taskId === t.id),
      ),
    ),
  );
  await recordMirrorResults(
    sql,
    outcomes.map((o) => ({
      taskId: o.taskId,
      salesforceTaskId: o.salesforceTaskId,
      error: o.error
        ? {
            message: redactSecrets(reasonOf(o.error)),
            permanent: o.error.kind === 'permanent',
            retryAfterMs: Math.max(o.error.retryAfterMs ?? 0, o.error.kind === 'rate_limited' ? salesforce.gate.remainingMs() : 0),
          }
        : undefined,
      readAt: readAt.get(o.taskId)!,
    })),
    backoff,
  );
  const failed = outcomes.filter((o) => o.error?.kind === 'permanent');
  if (failed.length) {
    const byId = new Map(tasks.map((t) => [t.id, t]));
    await notify(
      sql,
      failed.map((o) => {
        const task = byId.get(o.taskId)!;
        return {
          userId: task.assigneeUserId!,
          opportunityId: task.opportunityId,
          taskId: task.id,
          kind: 'mirror-failed',
          title: `"${task.action}" could not be copied to Salesforce`,
          body: redactSecrets(`Salesforce rejected the Task: ${reasonOf(o.error!)}`),
          dedupeKey: `mirror-failed:${task.id}:${o.error!.code}`,
        };
      }),
    );
  }
  const report = {
    synced: outcomes.filter((o) => o.salesforceTaskId).length,
    failed: outcomes.filter((o) => o.error?.kind === 'permanent').length,
    pending: outcomes.filter((o) => o.error && o.error.kind !== 'permanent').length,
  };
  if (report.failed || report.pending) log.warn('salesforce task mirror incomplete', { ...report, scope });
  return report;
}

/**
 * Reports tasks that have waited longer than `afterMs` to reach Salesforce: one warning line and one notification to
 * each task's owner per wait (a task reported once is not reported again until it synced and fell behind anew).
 */
export async function reportStuckMirrorTasks(sql: Sql, log: Logger, afterMs: number): Promise<number> {
  const stuck = await reportStuckMirrors(sql, afterMs);
  if (stuck.length) {
    log.warn('salesforce task mirror stuck: tasks not in Salesforce after the threshold (npm run tasks -- mirrors)', {
      count: stuck.length,
      thresholdMinutes: Math.round(afterMs / 60_000),
      oldestMinutes: Math.round(Math.max(...stuck.map((t) => t.waitingSeconds ?? 0)) / 60),
      taskIds: stuck.slice(0, 20).map((t) => t.id),
      lastError: stuck[0]!.lastError?.slice(0, 300) ?? null,
    });
  }
  return stuck.length;
}
