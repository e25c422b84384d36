import { recordMirrorResults, subTasksOf, tasksToMirror, type TaskRow } from '../db/tasks.ts';
import { notify } from '../db/notifications.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import type { SalesforceGateway } from '../salesforce/gateway.ts';
import type { MirrorTask } from '../salesforce/task-mirror.ts';

export interface MirrorReport {
  synced: number;
  failed: number;
  pending: number;
}

/** Salesforce's answer in one line, its code first (once: some messages already start with it). */
const reasonOf = (e: { code: string; message: string }) => (e.message.startsWith(e.code) ? e.message : `${e.code}: ${e.message}`);

/** The Salesforce Task a plan task becomes: sub-tasks appear as a checklist in the description. */
export function mirrorTaskOf(task: TaskRow, subTasks: TaskRow[]): MirrorTask {
  const checklist = subTasks.length
    ? `\n\nSub-tasks:\n${subTasks.map((s) => `${s.status === 'completed' ? '[x]' : '[ ]'} ${s.action}`).join('\n')}`
    : '';
  return {
    id: task.id,
    opportunityId: task.opportunityId,
    ownerUserId: task.assigneeUserId!,
    contactId: task.contactId,
    subject: task.owner === 'AI' ? `[AI] ${task.action}` : task.action,
    description: `${task.description}${checklist}\n\nRenewal Action Plans task ${task.id}`,
    dueDate: task.dueDate,
    priority: task.priority,
    status: task.status,
  };
}

/**
 * Mirrors every task still pending (optionally only a plan's or some tasks) to Salesforce Task records.
 * Safe to run at any time and from any instance: the upsert is keyed on the task id.
 */
export async function mirrorPendingTasks(
  sql: Sql,
  salesforce: SalesforceGateway,
  log: Logger,
  scope: { planId?: string; taskIds?: string[] } = {},
): Promise<MirrorReport> {
  const tasks = await tasksToMirror(sql, scope);
  if (tasks.length === 0) return { synced: 0, failed: 0, pending: 0 };
  const readAt = new Map(tasks.map((t) => [t.id, t.updatedAt]));
  const subs = await subTasksOf(sql, tasks.map((t) => t.id));
  const outcomes = await salesforce.mirror(tasks.map((t) => mirrorTaskOf(t, subs.filter((s) => s.parentTaskId === t.id))));
  await recordMirrorResults(
    sql,
    outcomes.map((o) => ({
      taskId: o.taskId,
      salesforceTaskId: o.salesforceTaskId,
      error: o.error ? { message: reasonOf(o.error), permanent: o.error.kind === 'permanent' } : undefined,
      readAt: readAt.get(o.taskId)!,
    })),
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
          body: `Salesforce rejected the Task: ${reasonOf(o.error!)}`,
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
