import { createExecutor, type Executor } from '../../service/src/executor/index.ts';
import type { Deps } from '../../service/src/deps.ts';
import { mirrorPendingTasks } from '../../service/src/sync/mirror/mirror.ts';
import { discoveryPlan, trackedEmail, webhookSigners } from '../engagement.ts';
import { testExecutorOptions } from '../executor/fixtures.ts';
import { startHarness, type Harness } from '../harness.ts';
import { startSecondInstance, type SecondInstance } from '../second-instance.ts';

/** One service instance as the interleavings test drives it: its app (through `h.api`), its deps and its executor. */
export interface Instance {
  name: 'A' | 'B';
  app: Harness['app'];
  deps: Deps;
  executor: Executor;
}

/** Every answer the API gave during a run (invariant 6: none is a 5xx). */
interface Answer {
  instance: string;
  what: string;
  status: number;
  text: string;
}

/**
 * The system under test for one run: the Discovery plan finalized, then given more dependencies than the playbook's
 * (a CSM task waiting for two others: the write-skew shape; an AI task waiting for two CSM tasks; a tracking task
 * waiting for a CSM task), two tracked emails, two instances sharing one database and the org emulator.
 */
export interface World {
  h: Harness;
  second: SecondInstance;
  instances: [Instance, Instance];
  signers: ReturnType<typeof webhookSigners>;
  executionId: string;
  /** Top-level CSM and AI tasks of the plan, by id (re-read after a re-plan, see `refresh`). */
  csm: string[];
  ai: string[];
  emails: { emailId: string; trackingId: string; monitorTaskId: string }[];
  /** Plan tasks the run completed in Salesforce: a fact the service accepts even before a prerequisite. */
  completedInSalesforce: Set<string>;
  answers: Answer[];
  close(): Promise<void>;
}

const EMAILS = [
  { emailId: 'mail-eric', sentTo: 'eric.estrada@acmelogistics.example' },
  { emailId: 'mail-priya', sentTo: 'priya.patel@acmelogistics.example' },
];

export async function startWorld(): Promise<World> {
  const signers = webhookSigners();
  const h = await startHarness({ env: signers.env });
  const second = await startSecondInstance(h);
  const { executionId, plan } = await h.finalizedPlan();
  const csm: string[] = plan.csmTasks.map((t: any) => t.taskId);
  const ai: string[] = plan.aiTasks.map((t: any) => t.taskId);
  const emails = [];
  for (const e of EMAILS) {
    const tracked = await trackedEmail(h.deps, discoveryPlan(h, plan), {
      provider: 'sendgrid',
      subject: `About ${e.emailId}`,
      key: e.emailId,
      ...e,
    });
    const [row] = await h.sql<{ id: string }[]>`SELECT id FROM email_tracking WHERE email_id = ${e.emailId}`;
    emails.push({ emailId: e.emailId, trackingId: row!.id, monitorTaskId: tracked.monitorTaskId });
  }
  // More waiting than the playbook's one dependency: D waits for A and B; an AI task waits for two CSM tasks; the
  // first email's tracking task waits for a CSM task (its reply then cannot complete it: a 409 inside a rule run).
  const pairs: [string, string][] = [
    [csm[2]!, csm[0]!],
    [csm[2]!, csm[1]!],
    [ai[0]!, csm[0]!],
    [ai[0]!, csm[3] ?? csm[1]!],
    [emails[0]!.monitorTaskId, csm[1]!],
  ];
  for (const [task, prerequisite] of pairs)
    await h.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${task}, ${prerequisite}) ON CONFLICT DO NOTHING`;
  await h.sql`UPDATE workflow_tasks SET mirror_status = 'pending' WHERE id IN ${h.sql(pairs.map((p) => p[0]))} AND mirror_status <> 'skipped'`;
  await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
  const executorOf = (deps: Deps, name: string) => createExecutor(deps, { options: testExecutorOptions(`executor-${name}`) });
  const instances: [Instance, Instance] = [
    { name: 'A', app: h.app, deps: h.deps, executor: executorOf(h.deps, 'a') },
    { name: 'B', app: second.app as Harness['app'], deps: second.deps, executor: executorOf(second.deps, 'b') },
  ];
  return {
    h,
    second,
    instances,
    signers,
    executionId,
    csm,
    ai,
    emails,
    completedInSalesforce: new Set(),
    answers: [],
    async close() {
      for (const i of instances) await i.executor.stop();
      await second.close();
      await h.close();
    },
  };
}

/** Re-reads the plan's top-level tasks (a re-plan and finalize may carry them into a new plan version). */
export async function refresh(w: World): Promise<void> {
  const rows = await w.h.sql<{ id: string; owner: string }[]>`
    SELECT t.id, t.owner FROM workflow_tasks t JOIN action_plans p ON p.id = t.action_plan_id
     WHERE p.execution_id = ${w.executionId} AND p.status = 'finalized' AND t.parent_task_id IS NULL
       AND t.plan_task_key NOT LIKE 'mail-%' ORDER BY t.plan_task_key`;
  if (rows.length === 0) return;
  w.csm = rows.filter((r) => r.owner === 'CSM').map((r) => r.id);
  w.ai = rows.filter((r) => r.owner === 'AI').map((r) => r.id);
}
