/**
 * `npm run bench:calls`: the Salesforce API calls one plan's lifecycle costs for the demo Discovery opportunity
 * (start, generate, finalize with its mirror, the AI tasks run by the executor, their results mirrored), counted from
 * the local Salesforce org emulator's request log (not Salesforce), per phase, against the target of 6. Then the
 * fixed cost of the Salesforce sync: per interval one completion query and one renewal-date query (the renewal watch),
 * whatever the number of instances (one sync leader). Last, the daily cost of keeping in sync in each mode: poll mode
 * (those two queries every SF_SYNC_INTERVAL_SECONDS) against stream mode (Change Data Capture through the emulator's
 * Pub/Sub API: the same two queries only every SF_SYNC_CATCHUP_MINUTES, plus one query per batch of relevant events).
 */
import { createExecutor } from '../service/src/executor/index.ts';
import { startSalesforceSync } from '../service/src/sync/loop.ts';
import { mirrorBackoff, mirrorPendingTasks } from '../service/src/sync/mirror/mirror.ts';
import { startHarness } from '../testkit/harness.ts';

const TARGET = 6;
const h = await startHarness({ accessCacheMs: 30_000, contextCacheMs: 30_000, pubsubKeepaliveMs: 50 });
try {
  const phases: { phase: string; calls: string[]; target: string }[] = [];
  const measure = async (phase: string, target: string, fn: () => Promise<unknown>) => {
    const from = h.org.requests.length;
    await fn();
    const short = (path: string) => path.replace(/^\/services\/data\/v[\d.]+/, '').replace(/\?.*/, '');
    phases.push({
      phase,
      target,
      calls: h.org.requests.slice(from).map((r) => {
        const subs = (r.body as { compositeRequest?: { method: string; url: string }[] } | undefined)?.compositeRequest;
        return `${r.method} ${short(r.path)}${subs ? ` [${subs.map((s) => `${s.method} ${short(s.url).split('/').slice(0, 3).join('/')}`).join(', ')}]` : ''}`;
      }),
    });
  };
  let executionId = '';
  await measure('start (context + access check)', 'context 1 + access ≤ 1; here one composite', async () => {
    executionId = (await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution.id;
  });
  await measure('generate', '0 (context cached)', () => h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`));
  let mirrored = 0;
  await measure('finalize + mirror', '⌈n/200⌉', async () => {
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {});
    if (res.status !== 200) throw new Error(`finalize answered ${res.status}: ${res.text}`);
    mirrored = (
      await h.sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM workflow_tasks WHERE execution_id = ${executionId} AND salesforce_task_id IS NOT NULL`
    )[0]!.n;
  });
  const executor = createExecutor(h.deps, { options: { workerId: 'bench-calls', retryDelayMs: 0 } });
  let outcomes: { status: string }[] = [];
  await measure('AI tasks run (composite)', 'one per round of dependent calls, ≤ 25 each', async () => {
    outcomes = await executor.runOnce();
  });
  // The executor mirrors a plan's results once its last running task settles (mirror after run); stop waits for it.
  await measure('results mirrored after the run', '⌈n/200⌉', () => executor.stop());
  await measure('results mirrored by the sweep', '0 (none left)', () =>
    mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log, {}, mirrorBackoff(h.deps.env)),
  );

  const total = phases.reduce((n, p) => n + p.calls.length, 0);
  console.log(
    `bench:calls — demo Discovery opportunity, ${mirrored} tasks mirrored, ${outcomes.length} AI tasks run (${outcomes.map((o) => o.status).join(', ')})`,
  );
  for (const p of phases)
    console.log(`  ${p.phase.padEnd(32)} ${String(p.calls.length).padStart(2)} call(s)  (target ${p.target})  ${p.calls.join(' | ')}`);
  console.log(`Salesforce calls per plan lifecycle: ${total} (target ≤ ${TARGET}) ${total <= TARGET ? 'met' : 'NOT MET'}`);

  // The sync's fixed cost: two instances on one database, three intervals each.
  const a = startSalesforceSync(h.deps, 3_600_000, { runAtStart: false });
  const b = startSalesforceSync(h.deps, 3_600_000, { runAtStart: false });
  const from = h.org.requests.length;
  for (let i = 0; i < 3; i++) await Promise.all([a.runOnce(), b.runOnce()]);
  const syncRequests = h.org.requests.slice(from);
  const syncCalls = syncRequests.length;
  await a.stop();
  await b.stop();
  const intervalSeconds = h.deps.env.SF_SYNC_INTERVAL_SECONDS;
  const kinds = [...new Set(syncRequests.map((r) => r.soql?.match(/FROM (\w+)/)?.[1] ?? r.path))];
  console.log(
    `salesforce sync: ${syncCalls} call(s) for 3 intervals × 2 instances (target 6: per interval one completion and one renewal-date query, ` +
      `not per instance; here ${kinds.join(', ')}); ${Math.round((syncCalls / 3) * (86_400 / intervalSeconds))} a day at ` +
      `SF_SYNC_INTERVAL_SECONDS=${intervalSeconds}, whatever the number of instances`,
  );

  // Stream mode, measured: one run that catches up, then runs while the stream is healthy and the catch-up not due.
  const catchUpMinutes = h.deps.env.SF_SYNC_CATCHUP_MINUTES;
  const stream = startSalesforceSync(h.deps, 3_600_000, {
    runAtStart: false,
    pubsub: { address: h.org.pubsubAddress!, tls: false },
    catchUpMs: catchUpMinutes * 60_000,
  });
  const startFrom = h.org.requests.length;
  await stream.runOnce();
  for (let waited = 0; stream.status.mode !== 'stream'; waited += 25) {
    if (waited > 10_000) throw new Error(`the stream did not start: ${JSON.stringify(stream.status.describe())}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const catchUpCalls = h.org.requests.slice(startFrom).filter((r) => r.soql && !/FROM Organization/.test(r.soql)).length;
  const quietFrom = h.org.requests.length;
  for (let i = 0; i < 3; i++) await stream.runOnce();
  const quietCalls = (h.org.requests.length - quietFrom) / 3;
  // One relevant change (a mirrored Task completed): the event costs one query restricted to the Task it names.
  const eventFrom = h.org.requests.length;
  const task = h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c && t.Status !== 'Completed')!;
  h.org.updateRecord('Task', String(task.Id), { Status: 'Completed' });
  for (let waited = 0; h.org.requests.length === eventFrom; waited += 25) {
    if (waited > 10_000) throw new Error('the change event was not applied');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const perEvent = h.org.requests.length - eventFrom;
  await stream.stop();
  const runsPerDay = 86_400 / intervalSeconds;
  const catchUpsPerDay = (24 * 60) / catchUpMinutes;
  const pollPerDay = Math.round((syncCalls / 3) * runsPerDay);
  const streamPerDay = Math.round(catchUpCalls * catchUpsPerDay + quietCalls * (runsPerDay - catchUpsPerDay));
  console.log(
    `keeping in sync, calls a day: poll mode ${pollPerDay} (${syncCalls / 3} per ${intervalSeconds} s); stream mode ${streamPerDay} ` +
      `(${catchUpCalls} per ${catchUpMinutes}-minute catch-up, ${quietCalls} per interval between) + ${perEvent} per batch of relevant ` +
      `change events — ${(pollPerDay / Math.max(1, streamPerDay)).toFixed(0)}× fewer polls; e.g. 200 Task completions a day ` +
      `arriving one by one: ${streamPerDay + 200 * perEvent}`,
  );
} finally {
  await h.close();
}
