/**
 * `npm run fixtures:lwc`: writes the LWC tests' fixtures (`__tests__/data/` of renewalActionPlan and renewalPortfolio)
 * from the real API: the test harness (a fresh database on the tests' PostgreSQL server, the org emulator — not
 * Salesforce — through jsforce, the playbook planner) on the Discovery demo opportunity, at the pinned date 2026-11-25.
 * The ids and instants that differ from run to run (uuids, database timestamps) are replaced by stable ones in order
 * of appearance, so two runs write the same files. Run it after changing the plan or execution view.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { clockFrom, middayOf } from '../service/src/clock.ts';
import { claimTaskNow, releaseTasks } from '../service/src/db/queue.ts';
import { runEngagementRules } from '../service/src/engagement/engine.ts';
import { mirrorPendingTasks } from '../service/src/sync/mirror/mirror.ts';
import setupDatabaseServer from '../testkit/database-server.ts';

const LWC = fileURLToPath(new URL('../force-app/main/default/lwc/', import.meta.url));
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** Salesforce Task ids: the org emulator numbers the records of a batch in the order its writes land. */
const TASK_ID = /\b00T[0-9A-Za-z]{15}\b/g;
/** Instants the database stamps with its own clock (now()), not the service's pinned one. */
const DATABASE_INSTANTS = new Set(['createdAt', 'updatedAt', 'finalizedAt', 'executedAt', 'completedAt']);
/** Measured durations. */
const MEASURED = new Set(['latencyMs']);

// The test database server must be chosen before the harness's modules read it.
const stopDatabaseServer = await setupDatabaseServer();
const { startHarness, TODAY } = await import('../testkit/harness.ts');
const h = await startHarness();
// The service's clock stands still at the pinned instant (the harness's moves on from it), so every instant it writes
// is the same in every run.
const instant = middayOf(TODAY).toISOString();
h.deps.now = () => new Date(instant);
try {
  const renewalActionPlan = await readFixtures();
  const renewalPortfolio = await readPortfolio();
  const fixtures = { renewalActionPlan: { ...renewalActionPlan, ...(await readEngaged()) }, renewalPortfolio };
  const stable = stabilizer(instant);
  for (const [component, name, body] of Object.entries(fixtures).flatMap(([c, files]) =>
    Object.entries(files).map(([n, b]) => [c, n, b] as const),
  )) {
    const file = join(LWC, component, '__tests__', 'data', `${name}.json`);
    const text = JSON.stringify(stable(body));
    writeFileSync(file, await format(text, { ...(await resolveConfig(file)), filepath: file }));
    console.log(`wrote ${file}`);
  }
} finally {
  await h.close();
  await stopDatabaseServer?.();
}

/**
 * The execution (its automatic steps analysed, the CSM assessment still waiting for the CSM), the draft, the finalized plan while its AI tasks run,
 * and once they have run (the last one rejected by a Salesforce validation rule).
 */
async function readFixtures() {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await h.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return res.body;
  };
  const { execution } = await call('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
  const plans = `/api/workflows/executions/${execution.id}/action-plan`;
  const draftPlan = await call('POST', `${plans}/generate`);
  const executionView = await call('GET', `/api/workflows/executions/${execution.id}`);
  const { plan } = await call('POST', `${plans}/finalize`, {});
  type ViewTask = { key: string; taskId: string; blockedBy: { key: string }[] };
  const aiTasks: ViewTask[] = plan.aiTasks;
  const csmTasks: ViewTask[] = plan.csmTasks;
  // The AI tasks that wait for a CSM task (a reminder after the meeting request) run once it is done.
  const runnable = aiTasks.filter((t) => t.blockedBy.length === 0);
  const waiting = aiTasks.filter((t) => t.blockedBy.length > 0);
  if (runnable.length < 2 || waiting.length < 1)
    throw new Error(
      `the Discovery demo plan has ${runnable.length} runnable and ${waiting.length} waiting AI tasks; the fixtures need 2 and 1`,
    );
  // Running: the first AI task has run, an executor holds the second, the rest wait (in the queue, or for a CSM task).
  await call('POST', `/api/workflows/tasks/${runnable[0]!.taskId}/execute`);
  const claimed = await claimTaskNow(h.sql, runnable[1]!.taskId, { workerId: 'fixtures', leaseMs: 300_000, maxAttempts: 3 });
  if (!claimed) throw new Error('the second AI task could not be claimed');
  const finalizedPlanRunning = await call('GET', plans);
  // Settled: the CSM has done what the waiting AI tasks wait for, every AI task has run, in plan order, the last one
  // refused by a validation rule (permanent: no retry), and every Task is in Salesforce.
  await releaseTasks(h.sql, [claimed]);
  const prerequisites = new Set(waiting.flatMap((t) => t.blockedBy.map((b) => b.key)));
  for (const t of csmTasks.filter((x) => prerequisites.has(x.key)))
    await call('PATCH', `/api/workflows/tasks/${t.taskId}`, { status: 'completed' });
  const rest = [...runnable.slice(1), ...waiting];
  for (const t of rest.slice(0, -1)) await call('POST', `/api/workflows/tasks/${t.taskId}/execute`);
  h.org.injectFault({
    count: 1,
    errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    message: 'Reminders cannot be set during the quarter-end freeze',
    methods: ['PATCH'],
    pathContains: '/Task/',
  });
  await call('POST', `/api/workflows/tasks/${rest.at(-1)!.taskId}/execute`);
  await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log, { planId: plan.id });
  const finalizedPlanSettled = await call('GET', plans);
  return { execution: executionView, draftPlan, finalizedPlanRunning, finalizedPlanSettled };
}

/**
 * The first page (two rows) of the CSM's book once the Discovery plan is finalized and its renewal date has moved
 * from May to January (a re-plan is due): Globex without a plan 10 days before its renewal, Acme needing a re-plan.
 */
async function readPortfolio() {
  const closeDate = h.org.records('Opportunity').find((o) => o.Id === h.discoveryId)!.CloseDate;
  h.org.updateRecord('Opportunity', h.discoveryId, { CloseDate: '2027-01-14' });
  const res = await h.api('GET', '/api/portfolio?owner=me&sort=daysToRenewal&pageSize=2');
  if (res.status !== 200) throw new Error(`GET /api/portfolio answered ${res.status}: ${res.text}`);
  h.org.updateRecord('Opportunity', h.discoveryId, { CloseDate: closeDate });
  return { portfolio: res.body };
}

/**
 * The finalized plan once the engagement rules have acted on the CSM's tracked Salesforce emails (read after the
 * portfolio, once its renewal date is back, so neither changes the other fixtures): on Dec 1, three business days
 * after Nov 25 (Thanksgiving and the weekend between), the unopened usage report to Eric has brought a follow-up CSM
 * task, and the renewal proposal to Priya, which bounced, a contact update proposed for the CSM's approval.
 */
async function readEngaged() {
  h.org.sendEmail({ Subject: 'Usage report', ToAddress: 'eric.estrada@acmelogistics.example', RelatedToId: h.discoveryId });
  // The org marks an email bounced (IsBounced is set by Salesforce's bounce handling, not by an API write).
  h.org.sendEmail({
    Subject: 'Renewal proposal',
    ToAddress: 'priya.patel@acmelogistics.example',
    RelatedToId: h.discoveryId,
    IsBounced: true,
  } as Parameters<typeof h.org.sendEmail>[0]);
  await runEngagementRules({ ...h.deps, ...clockFrom(middayOf('2026-12-01')) });
  const [execution] = await h.sql<{ id: string }[]>`SELECT id FROM workflow_executions WHERE opportunity_id = ${h.discoveryId}`;
  const res = await h.api('GET', `/api/workflows/executions/${execution!.id}/action-plan`);
  if (res.status !== 200) throw new Error(`GET the action plan answered ${res.status}: ${res.text}`);
  return { finalizedPlanEngaged: res.body };
}

/**
 * Replaces uuids and Salesforce Task ids (each numbered in order of first appearance), database instants and measured
 * durations with stable values, through every file.
 */
function stabilizer(instant: string) {
  const numbering = (make: (n: number) => string) => {
    const seen = new Map<string, string>();
    return (id: string) => {
      if (!seen.has(id)) seen.set(id, make(seen.size + 1));
      return seen.get(id)!;
    };
  };
  const uuid = numbering((n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
  const taskId = numbering((n) => `00T5e0000000${String(n).padStart(3, '0')}AAA`);
  const visit = (value: unknown, key = ''): unknown => {
    if (MEASURED.has(key) && typeof value === 'number') return 0;
    if (typeof value === 'string') return DATABASE_INSTANTS.has(key) ? instant : value.replace(UUID, uuid).replace(TASK_ID, taskId);
    if (Array.isArray(value)) return value.map((v) => visit(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, k)]));
    return value;
  };
  return visit;
}
