import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startSalesforceSync } from '../../service/src/sync/loop.ts';
import { createExecutor } from '../../service/src/executor/index.ts';
import { insertAiTasks, seedPlan } from '../../testkit/executor/fixtures.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { type FaultSpec } from '../../dev/org-emulator/index.ts';
import { DEMO_IDS } from '../../dev/demo-seed/index.ts';

/**
 * Every Salesforce write path × every fault class the org emulator (not Salesforce) can inject. Each cell: the fault
 * holds for two rounds of the service's loops (sync run + executor run, with the backoffs and the write pause
 * passing in between), then clears; the loops run until nothing is left. Then every task is in Salesforce exactly
 * once, every AI task ran to success exactly once, and nothing that should have been retried is `failed`. The loops
 * are driven by their run-once entry points, not by timers: the outcome does not depend on timing.
 */
const ACME = DEMO_IDS.opportunities.acme;
const CSM = DEMO_IDS.users.jordanLee;
const FIELD = 'Action_Plan_Task_Id__c';

type Shape = 'collection' | 'record' | 'read';
interface FaultClass {
  name: string;
  /** The fault as it reaches a path of this shape (per-record faults exist only for sObject collections). */
  spec(shape: Shape): Omit<FaultSpec, 'methods'>;
}
const html =
  (status: number, errorCode = `ERROR_HTTP_${status}`) =>
  () => ({ count: 6, errorCode, status, body: 'html' as const });
const FAULTS: FaultClass[] = [
  { name: 'row lock', spec: (s) => ({ count: 6, errorCode: 'UNABLE_TO_LOCK_ROW', mode: s === 'collection' ? 'per-record' : 'request' }) },
  { name: 'REQUEST_LIMIT_EXCEEDED', spec: () => ({ count: 6, errorCode: 'REQUEST_LIMIT_EXCEEDED', status: 403 }) },
  { name: '429 html', spec: () => ({ ...html(429)(), retryAfter: 1 }) },
  { name: '500 html', spec: html(500) },
  { name: '502 html', spec: html(502) },
  { name: '503 html', spec: html(503) },
  { name: 'timeout', spec: () => ({ count: 2, errorCode: 'TIMEOUT', mode: 'timeout' }) },
  { name: 'after-write', spec: () => ({ count: 6, errorCode: 'SERVER_UNAVAILABLE', mode: 'after-write' }) },
  {
    name: 'DUPLICATE_VALUE',
    spec: (s) => ({ count: 6, errorCode: 'DUPLICATE_VALUE', mode: s === 'collection' ? 'per-record' : 'request' }),
  },
  { name: 'INVALID_SESSION_ID', spec: () => ({ count: 2, errorCode: 'INVALID_SESSION_ID', status: 401 }) },
];

interface Cell {
  /** Creates the work of one cell; returns what to check once the loops are done. */
  setup(h: Harness, plan: { executionId: string; planId: string }, tag: string): Promise<(fault: string) => Promise<string[]>>;
}
interface WritePath extends Cell {
  name: string;
  shape: Shape;
  /** Which requests the fault targets. */
  methods: string[];
}

const one = (h: Harness, key: string) => h.org.records('Task').filter((t) => t[FIELD] === key);
const problems = (checks: [boolean, string][]) => checks.filter(([ok]) => !ok).map(([, what]) => what);

/** The checks every AI task path shares: success, one attempt's notification, the processor's own effect. */
async function aiTaskOutcome(h: Harness, id: string, fault: string): Promise<[boolean, string][]> {
  const [row] = await h.sql<{ executionStatus: string; attempts: number }[]>`
    SELECT execution_status AS "executionStatus", attempts FROM workflow_tasks WHERE id = ${id}`;
  const notes = await h.sql`SELECT kind FROM notifications WHERE task_id = ${id} AND kind LIKE 'ai-task-%'`;
  return [
    [row!.executionStatus === 'success', `AI task ${row!.executionStatus} after ${row!.attempts} attempt(s)`],
    [notes.length === 1 && notes[0]!.kind === 'ai-task-succeeded', `notifications ${notes.map((n) => n.kind).join(',')}`],
    // A write pause is not the task's failure: it runs on its first counted attempt.
    [fault !== 'REQUEST_LIMIT_EXCEEDED' || row!.attempts === 1, `${row!.attempts} attempts spent on a write pause`],
  ];
}

const PATHS: WritePath[] = [
  {
    name: 'mirror (Task upsert, collection)',
    shape: 'collection',
    methods: ['PATCH'],
    async setup(h, plan, tag) {
      const rows = [1, 2, 3].map((i) => ({
        action_plan_id: plan.planId,
        execution_id: plan.executionId,
        opportunity_id: ACME,
        plan_task_key: `csm-${tag}-${i}`,
        owner: 'CSM',
        action: `Call ${tag} ${i}`,
        assignee_user_id: CSM,
      }));
      const ids = (await h.sql<{ id: string }[]>`INSERT INTO workflow_tasks ${h.sql(rows as never)} RETURNING id`).map((r) => r.id);
      return async () => {
        const checks: [boolean, string][] = [];
        for (const id of ids) {
          const records = one(h, id);
          const [row] = await h.sql`SELECT mirror_status, salesforce_task_id FROM workflow_tasks WHERE id = ${id}`;
          checks.push([records.length === 1, `${records.length} Salesforce Tasks for one task`]);
          checks.push([row!.mirror_status === 'synced' && row!.salesforce_task_id === records[0]?.Id, `mirror ${row!.mirror_status}`]);
        }
        return problems(checks);
      };
    },
  },
  {
    name: 'crm-opportunity-updater (Opportunity PATCH)',
    shape: 'record',
    methods: ['PATCH'],
    async setup(h, plan, tag) {
      const [id] = await insertAiTasks(
        h.sql,
        plan,
        [
          {
            processor: 'crm-opportunity-updater',
            key: `ai-crm-${tag}`,
            metadata: { fields: { NextStep: `Next ${tag}`, Description: null, Probability: null } },
          },
        ],
        ACME,
      );
      return async (fault) =>
        problems([
          ...(await aiTaskOutcome(h, id!, fault)),
          [h.org.records('Opportunity').find((o) => o.Id === ACME)!.NextStep === `Next ${tag}`, 'Opportunity not updated'],
        ]);
    },
  },
  {
    name: 'salesforce-contact-updater (Opportunity PATCH + audit Task upsert)',
    shape: 'record',
    methods: ['PATCH'],
    async setup(h, plan, tag) {
      const [id] = await insertAiTasks(
        h.sql,
        plan,
        [
          {
            processor: 'salesforce-contact-updater',
            key: `ai-contact-${tag}`,
            metadata: {
              oldContact: null,
              newContact: { name: 'Eric Estrada', salesforceId: DEMO_IDS.contacts.ericEstrada },
              updateLocalRecord: false,
            },
          },
        ],
        ACME,
      );
      return async (fault) =>
        problems([
          ...(await aiTaskOutcome(h, id!, fault)),
          [one(h, `${id}:audit`).length === 1, `${one(h, `${id}:audit`).length} audit Tasks`],
        ]);
    },
  },
  {
    name: 'follow-up-reminder-creator (reminder Task upsert)',
    shape: 'record',
    methods: ['PATCH'],
    async setup(h, plan, tag) {
      const [id] = await insertAiTasks(
        h.sql,
        plan,
        [
          {
            processor: 'follow-up-reminder-creator',
            key: `ai-reminder-${tag}`,
            metadata: { daysUntilReminder: 2, reminderMessage: 'Check in', relatedAction: `Follow-up ${tag}`, reminderPriority: 2 },
          },
        ],
        ACME,
      );
      return async (fault) => {
        const reminders = await h.sql<{ id: string; mirror_status: string }[]>`
          SELECT id, mirror_status FROM workflow_tasks WHERE plan_task_key = ${`ai-reminder-${tag}-reminder`}`;
        return problems([
          ...(await aiTaskOutcome(h, id!, fault)),
          [reminders.length === 1, `${reminders.length} reminder tasks`],
          [reminders.length === 1 && one(h, reminders[0]!.id).length === 1, 'reminder not in Salesforce exactly once'],
          [reminders[0]?.mirror_status === 'synced', `reminder mirror ${reminders[0]?.mirror_status}`],
        ]);
      };
    },
  },
  {
    name: 'status sync (completion pull, query)',
    shape: 'read',
    methods: ['GET'],
    async setup(h, plan, tag) {
      const id = randomUUID();
      // The Task the mirror wrote for the plan task (its Id stored): the only one that speaks for it.
      const created = (await h.deps.salesforce.conn
        .sobject('Task')
        .create({ Subject: `Done ${tag}`, WhatId: ACME, Status: 'Completed', [FIELD]: id } as never)) as unknown as { id: string };
      await h.sql`INSERT INTO workflow_tasks (id, action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, assignee_user_id, mirror_status, salesforce_task_id)
                  VALUES (${id}, ${plan.planId}, ${plan.executionId}, ${ACME}, ${`csm-sync-${tag}`}, 'CSM', 'Closed in Salesforce', ${CSM}, 'synced', ${created.id})`;
      return async () => {
        const [row] = await h.sql`SELECT status FROM workflow_tasks WHERE id = ${id}`;
        return problems([[row!.status === 'completed', `plan task ${row!.status}`]]);
      };
    },
  },
];

const matrix: Record<string, Record<string, string>> = {};

describe('fault matrix: Salesforce write paths × injected faults', () => {
  afterAll(() => {
    console.log('\nFault matrix (✓ = everything exactly once after the fault cleared; n = requests the path sent):');
    console.table(matrix);
  });

  it.each(PATHS)('$name recovers from every fault class, exactly once', { timeout: 180_000 }, async (path) => {
    const h = await startHarness({ requestTimeoutMs: 500 });
    const row: Record<string, string> = (matrix[path.name] = {});
    const failures: string[] = [];
    try {
      const plan = await seedPlan(h.sql, { opportunityId: ACME });
      const sync = startSalesforceSync(h.deps, 86_400_000, { runAtStart: false });
      const executor = createExecutor(h.deps, { options: { retryDelayMs: 0, maxAttempts: 3, batchSize: 10 } });
      /** Time passes: backoffs, retry delays and the write pause are over (the database clock is not pinned). */
      const timePasses = async () => {
        h.passSalesforcePause();
        // A retry or a deferral is due again: its time is the queue row's (task_queue, migration 0024).
        await h.sql`UPDATE task_queue SET run_after = least(run_after, now()) WHERE claim_token IS NULL`;
        await h.sql`UPDATE workflow_tasks SET mirror_retry_at = NULL WHERE mirror_status = 'pending'`;
      };
      const round = async () => {
        await sync.runOnce();
        await executor.runOnce();
        await timePasses();
      };
      const waiting = async () =>
        (
          await h.sql`
        SELECT 1 FROM workflow_tasks WHERE mirror_status = 'pending' OR execution_status IN ('queued', 'running') LIMIT 1`
        ).length > 0;

      for (const fault of FAULTS) {
        const tag = fault.name.replace(/\W+/g, '-').toLowerCase();
        // Nothing left over from the previous cell.
        while (await waiting()) await round();
        const check = await path.setup(h, plan, tag);
        h.org.resetRequests();
        h.org.injectFault({ ...fault.spec(path.shape), methods: path.methods });
        await round();
        await round();
        h.org.clearFaults();
        let rounds = 0;
        while ((await waiting()) && rounds < 8) {
          await round();
          rounds++;
        }
        // One more round after the last one found nothing: a status sync needs its own run once Salesforce is back.
        await round();
        const failed = await h.sql`
          SELECT id FROM workflow_tasks WHERE (execution_status = 'failed' OR mirror_status = 'failed') AND plan_task_key LIKE ${`%-${tag}%`}`;
        const found = [
          ...(await check(fault.name)),
          ...(failed.length ? [`${failed.length} task(s) failed`] : []),
          ...((await waiting()) ? ['work left after 8 rounds'] : []),
        ];
        const sent = h.org.requests.filter((r) => path.methods.includes(r.method)).length;
        row[fault.name] = found.length ? `✗ ${found[0]}` : `✓ ${sent}`;
        failures.push(...found.map((f) => `${fault.name}: ${f}`));
      }
      await sync.stop();
    } finally {
      await h.close();
    }
    expect(failures).toEqual([]);
  });
});
