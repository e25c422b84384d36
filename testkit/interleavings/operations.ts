import fc from 'fast-check';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { mirrorPendingTasks } from '../../service/src/sync/mirror/mirror.ts';
import type { FaultSpec } from '../../dev/org-emulator/index.ts';
import { refresh, type Instance, type World } from './world.ts';

/**
 * The state-changing operations of the service, as a CSM, Salesforce, an email provider and the background work
 * perform them. `at` picks a task among the plan's (modulo their number, so a shrunk case stays meaningful); `on`
 * picks the instance.
 */
export type Operation =
  | { kind: 'complete' | 'cancel' | 'snooze' | 'complete-in-salesforce' | 'reopen-in-salesforce'; at: number; on: 0 | 1 }
  | { kind: 'cancel-ai' | 'execute'; at: number; on: 0 | 1 }
  | { kind: 'approve' | 'decline'; at: number; on: 0 | 1 }
  | { kind: 'email'; event: 'reply' | 'bounce' | 'open'; at: number; on: 0 | 1 }
  | { kind: 'executor' | 'sync' | 'mirror' | 'replan' | 'bulk-start'; on: 0 | 1 }
  | { kind: 'fault'; fault: 'html-503' | 'json-503' | 'row-lock' | 'after-write' };

const FAULTS: Record<Extract<Operation, { kind: 'fault' }>['fault'], FaultSpec> = {
  'html-503': { count: 2, errorCode: 'ERROR_HTTP_503', status: 503, body: 'html', methods: ['GET', 'POST', 'PATCH'] },
  'json-503': { count: 2, errorCode: 'SERVER_UNAVAILABLE' },
  'row-lock': { count: 1, errorCode: 'UNABLE_TO_LOCK_ROW', mode: 'per-record' },
  'after-write': { count: 1, errorCode: 'SERVER_UNAVAILABLE', mode: 'after-write' },
};

const on = fc.constantFrom<0 | 1>(0, 1);
const at = fc.nat({ max: 15 });

/** Operations, weighted towards what races: completing the prerequisites of one task, and the background work. */
export const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('complete' as const), at: fc.constantFrom(0, 1, 2, 3), on }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('cancel' as const, 'snooze' as const), at, on }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constantFrom('complete-in-salesforce' as const, 'reopen-in-salesforce' as const), at, on }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('cancel-ai' as const, 'execute' as const), at, on }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('approve' as const, 'decline' as const), at, on }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('email' as const),
      event: fc.constantFrom('reply' as const, 'bounce' as const, 'open' as const),
      at,
      on,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('executor' as const, 'sync' as const, 'mirror' as const), on }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('replan' as const, 'bulk-start' as const), on }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      fault: fc.constantFrom('html-503' as const, 'json-503' as const, 'row-lock' as const, 'after-write' as const),
    }),
  },
);

export const describeOperation = (op: Operation): string =>
  Object.entries(op)
    .map(([k, v]) => (k === 'kind' ? v : k === 'on' ? `on ${v === 0 ? 'A' : 'B'}` : `${k}=${v}`))
    .join(' ');

const pick = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);

/** Runs one operation; answers of the API are recorded in the world (the invariants read them). */
export async function runOperation(w: World, op: Operation): Promise<void> {
  if (op.kind === 'fault') return w.h.org.injectFault(FAULTS[op.fault]);
  const instance: Instance = w.instances[op.on];
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await w.h.api(method, path, body, { app: instance.app });
    w.answers.push({ instance: instance.name, what: `${method} ${path}`, status: res.status, text: res.text.slice(0, 300) });
    return res;
  };
  const sfTask = async (taskId: string) =>
    (await instance.deps.salesforce.conn.query<{ Id: string }>(`SELECT Id FROM Task WHERE Action_Plan_Task_Id__c = '${taskId}'`))
      .records[0];
  const proposals = async () =>
    (await w.h.sql<{ id: string }[]>`SELECT id FROM workflow_tasks WHERE awaiting_approval AND status <> 'cancelled' ORDER BY id`).map(
      (r) => r.id,
    );
  // Background work fails the way it fails in production (a Salesforce fault): logged, retried by the next run.
  const background = (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      () => undefined,
    );

  switch (op.kind) {
    case 'complete':
      return void (await api('PATCH', `/api/workflows/tasks/${pick(w.csm, op.at)}`, { status: 'completed' }));
    case 'cancel':
      return void (await api('PATCH', `/api/workflows/tasks/${pick(w.csm, op.at)}`, { status: 'cancelled' }));
    case 'snooze':
      return void (await api('PATCH', `/api/workflows/tasks/${pick(w.csm, op.at)}`, { snoozedUntil: '2026-12-01T09:00:00Z' }));
    case 'cancel-ai':
      return void (await api('PATCH', `/api/workflows/tasks/${pick(w.ai, op.at)}`, { status: 'cancelled' }));
    case 'execute':
      return void (await api('POST', `/api/workflows/tasks/${pick(w.ai, op.at)}/execute`));
    case 'approve':
    case 'decline': {
      const id = pick(await proposals(), op.at);
      if (!id) return;
      if (op.kind === 'approve') return void (await api('POST', `/api/workflows/tasks/${id}/approve`));
      return void (await api('PATCH', `/api/workflows/tasks/${id}`, { status: 'cancelled' }));
    }
    case 'complete-in-salesforce':
    case 'reopen-in-salesforce': {
      const taskId = pick(w.csm, op.at)!;
      const task = await sfTask(taskId).catch(() => undefined);
      if (!task) return;
      const Status = op.kind === 'complete-in-salesforce' ? 'Completed' : 'Not Started';
      const written = await instance.deps.salesforce.conn
        .sobject('Task')
        .update({ Id: task.Id, Status })
        .then(
          (r) => r.success,
          () => false,
        );
      if (written && op.kind === 'complete-in-salesforce') w.completedInSalesforce.add(taskId);
      return background(syncTaskStatusFromSalesforce(instance.deps));
    }
    case 'email': {
      const email = pick(w.emails, op.at)!;
      const event =
        op.event === 'bounce'
          ? { event: 'bounce', type: 'bounce', reason: '550 5.1.1 unknown user', email_id: email.emailId }
          : { event: op.event, email_id: email.emailId };
      const init = w.signers.sendgrid([
        { ...event, sg_event_id: `${email.emailId}-${op.event}-${w.answers.length}`, timestamp: 1_795_000_000 },
      ]);
      const res = await instance.app.request('/api/webhooks/sendgrid', init);
      w.answers.push({ instance: instance.name, what: `webhook ${op.event}`, status: res.status, text: (await res.text()).slice(0, 300) });
      return;
    }
    case 'executor':
      return background(instance.executor.runOnce());
    case 'sync':
      return background(syncTaskStatusFromSalesforce(instance.deps));
    case 'mirror':
      return background(mirrorPendingTasks(instance.deps.db.sql, instance.deps.salesforce, instance.deps.log));
    case 'replan': {
      const generated = await api('POST', `/api/workflows/executions/${w.executionId}/action-plan/generate`);
      if (generated.status === 200) await api('POST', `/api/workflows/executions/${w.executionId}/action-plan/finalize`, {});
      return refresh(w);
    }
    case 'bulk-start': {
      const others = Object.values(w.h.opportunities)
        .filter((id) => id !== w.h.discoveryId)
        .slice(0, 3);
      return void (await api('POST', '/api/workflows/executions/bulk', { opportunityIds: others, generate: true }));
    }
  }
}
