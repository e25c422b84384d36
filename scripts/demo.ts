/**
 * `npm run demo`: the Discovery story end to end, in the terminal, without any network. An embedded PostgreSQL
 * server in a fresh data directory, the local Salesforce org emulator (NOT Salesforce) seeded with the demo org,
 * and the playbook planner (or the LLM planner when OPENAI_API_KEY is set). Deterministic for a given "today":
 * `--today 2026-11-25` (default: TODAY, else 2026-11-25).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../service/src/app.ts';
import { addDays } from '../service/src/calendar/dates.ts';
import { clockFrom, middayOf } from '../service/src/clock.ts';
import { loadConfig } from '../service/src/config.ts';
import { migrate } from '../service/src/db/migrate.ts';
import { openDatabase } from '../service/src/db/sql.ts';
import { runEngagementRules } from '../service/src/engagement/engine.ts';
import { ruleFor } from '../service/src/engagement/rules.ts';
import { runTaskNow } from '../service/src/executor/manual.ts';
import { createLogger } from '../service/src/log.ts';
import { assembleDeps } from '../service/src/server.ts';
import { userIdentityFor } from '../service/src/assertion/identity.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { startDemoOrg } from '../dev/demo-seed/index.ts';
import { plural } from '../service/src/words.ts';

const { values: args } = parseArgs({ options: { today: { type: 'string' } } });
const today = args.today ?? process.env.TODAY ?? '2026-11-25';
const config = loadConfig({
  ...process.env,
  TODAY: today,
  LOG_LEVEL: 'silent',
  DATABASE_URL: '',
  SF_INSTANCE_URL: '',
  SF_ACCESS_TOKEN: '',
  SF_CLIENT_ID: '',
  SF_USERNAME: '',
  SF_PRIVATE_KEY: '',
  SF_PRIVATE_KEY_FILE: '',
});
const env = config.env;
const JORDAN = '0055e0000000001AAA'; // the demo CSM
const ACME = '0065e0000000001AAA'; // Acme Logistics — FY27 Renewal, 165 days out: Discovery

const say = (line = '') => console.log(line);
const rule = (title: string) => say(`\n${'='.repeat(79)}\n  ${title}\n${'='.repeat(79)}`);
const section = (title: string) => say(`\n--- ${title} ${'-'.repeat(Math.max(0, 74 - title.length))}`);
const money = (n: unknown) => (typeof n === 'number' ? `$${n.toLocaleString('en-US')}` : 'unknown');
const MARK: Record<string, string> = { critical: 'CRITICAL', concern: '(!) CONCERN', strength: 'STRENGTH', info: 'INFO' };

const dataDir = mkdtempSync(join(tmpdir(), 'rap-demo-'));
const db = await openDatabase({ dataDir, poolMax: 4 });
const org = await startDemoOrg({ accessToken: 'demo-token', today: middayOf(today) });
try {
  await migrate(db.sql);
  const conn = await connectSalesforce({ mode: 'emulator', apiVersion: env.SF_API_VERSION }, { url: org.url, accessToken: 'demo-token' });
  // Like npm start's embedded mode: a demo key pair and certificate (here in the throwaway data directory) sign the
  // user assertion on the server side, as the package's Apex does in Salesforce; the calls below go through that
  // stand-in for Apex (/preview-apex), so the demo takes the verified path.
  const { identity: userIdentity, demoKey } = await userIdentityFor(
    { ...config, env: { ...env, DATA_DIR: dataDir } },
    conn,
    createLogger('silent'),
    middayOf(today),
  );
  const deps = await assembleDeps(config, db, conn, createLogger('silent'), {
    apiKey: 'demo-service-api-key-0123456789abcdef',
    userIdentity,
  });
  const app = createApp(deps, { previewApex: { privateKey: demoKey!.privateKey } });
  const ENGAGEMENT_DAYS = ruleFor(deps.engagementRules, 'Discovery').noOpenAfterBusinessDays ?? 3;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(`/preview-apex/api/workflows${path}`, {
      method,
      headers: { authorization: `Bearer ${deps.apiKey}`, 'x-salesforce-user-id': JORDAN, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.error)}`);
    return json;
  };

  const waitsFor = (t: any) =>
    t.dependsOn.length
      ? `\n        waits for: ${t.dependsOn.map((k: string) => [...plan.aiTasks, ...plan.csmTasks].find((x: any) => x.key === k)?.action ?? k).join('; ')}`
      : '';
  const SOURCE: Record<string, string> = {
    'opportunity-team': 'opportunity team',
    'account-team': 'account team',
    queue: 'queue',
    'owner-fallback': 'opportunity owner',
  };
  // The owner fallback reads as such, as on the card: the opportunity owner does not hold the role it stands in for.
  const owner = (a: any) =>
    !a
      ? 'the opportunity owner'
      : a.source === 'owner-fallback' && a.role
        ? `${a.name} (opportunity owner, in place of a ${a.role})${a.note ? ` — ${a.note}` : ''}`
        : `${a.name}${a.role ? ` (${a.role}, ${SOURCE[a.source]})` : ''}${a.note ? ` — ${a.note}` : ''}`;

  rule('DISCOVERY WORKFLOW DEMO');
  say(`Today ${today}. Salesforce: the local org emulator (NOT Salesforce). Database: embedded PostgreSQL. Planner: ${deps.planner.name}.`);
  say(`Business days: ${deps.calendar.source}.`);
  let { execution } = await api('POST', '/executions', { opportunityId: ACME });
  say(`Opportunity: ${execution.opportunityName} (${execution.accountName})`);
  say(
    `Stage: ${execution.stage} (${execution.daysToRenewal} days to renewal on ${execution.renewalDate}, ${execution.urgency} urgency) — ${execution.workflowName}`,
  );
  say('\nWorkflow Steps:');
  execution.steps.forEach((s: any, i: number) => say(`  ${i + 1}. ${s.name} (${s.type}${s.needsInput ? ', asks the CSM' : ''})`));

  const input = {
    relationshipStrength: 8,
    confidence: 7,
    risks: ['Finance announced a 15% budget cut', 'Sarah Chen hands the renewal to Eric Estrada'],
    notes: 'Strong operational relationships; the WMS integration is the expansion story.',
  };
  ({ execution } = await api('POST', `/executions/${execution.id}/steps/csm-assessment/input`, { input }));
  for (const s of execution.steps)
    if (!s.needsInput && s.type !== 'planning') ({ execution } = await api('POST', `/executions/${execution.id}/steps/${s.id}/run`));

  execution.steps.forEach((s: any, i: number) => {
    if (s.type === 'planning') return;
    section(`Step ${i + 1}: ${s.name} ${s.status === 'done' ? '✓' : `(${s.status})`}`);
    say(`  ${s.result.summary}`);
    if (s.result.decision) say(`  Decision: ${s.result.decision}`);
    for (const f of s.result.findings) say(`  ${MARK[f.severity]}: ${f.text}`);
    if (s.id === 'contract-analysis' && s.result.output.terminationTerms) say(`  Termination terms: ${s.result.output.terminationTerms}`);
    if (s.id === 'pricing-strategy')
      say(
        `  Current ARR ${money(s.result.output.currentArr)}; target ${money(s.result.output.targetPrice)} (${s.result.output.targetIncreasePct}%); usage ${s.result.output.usagePct ?? '?'}%`,
      );
    if (s.id === 'stakeholder-mapping')
      for (const p of s.result.output.stakeholders)
        say(
          `  - ${p.name}, ${p.title ?? 'no title'} (${p.role ?? 'no role'}${p.isPrimary ? ', primary' : ''}): ${p.engagement}${p.lastActivityDate ? `, last ${p.lastActivityDate}` : ''}`,
        );
    if (s.id === 'recommendations')
      s.result.output.recommendations.forEach((r: any, j: number) =>
        say(`  ${j + 1}. [P${r.priority}] ${r.title} — ${r.rationale} (${r.sourceStep})`),
      );
  });

  const { plan } = await api('POST', `/executions/${execution.id}/action-plan/generate`);
  rule(`Step 6: ACTION PLAN (draft v${plan.version}, ${plan.planner} planner)`);
  section('Process Completed');
  for (const s of plan.summary.completedSteps)
    say(`  ${s.status === 'done' ? '✓' : '✗'} ${s.name}: ${s.output}${s.decision ? ` → ${s.decision}` : ''}`);
  section('Key Decisions');
  for (const d of plan.summary.keyDecisions) say(`  • ${d}`);
  section('Key Metrics');
  for (const m of plan.summary.keyMetrics) say(`  ${m.label}: ${m.value}${m.detail ? ` (${m.detail})` : ''}`);
  section(`AI Tasks (${plan.aiTasks.length})`);
  for (const t of plan.aiTasks)
    say(
      `  [P${t.priority}] ${t.action} — ${t.processor}${t.executeImmediately ? ', runs at once' : ''}${t.change ? `\n        change: ${t.change}` : ''}${waitsFor(t)}`,
    );
  section(`CSM Tasks (${plan.csmTasks.length})`);
  for (const t of plan.csmTasks) {
    say(`  [P${t.priority}] ${t.action} — due ${t.dueDate}, ${t.complexity}, ${t.estimatedTime}${waitsFor(t)}`);
    say(`        owner: ${owner(t.assignee)}`);
    for (const sub of t.subTasks) say(`        □ ${sub.action}`);
  }
  section('Timeline');
  for (const s of plan.timeline) say(`  ${String(s.step).padStart(2)}. ${s.date}  [${s.owner.padEnd(8)}] ${s.title}`);
  section('Next Workflow');
  say(
    plan.nextWorkflow
      ? `  ${plan.nextWorkflow.name} (${plan.nextWorkflow.stage}) starts ${plan.nextWorkflow.triggerDate}\n  Conditions: ${plan.nextWorkflow.conditions.join('; ')}`
      : '  None (last stage)',
  );

  rule('FINALIZE');
  const finalized = (await api('POST', `/executions/${execution.id}/action-plan/finalize`, { planId: plan.id })).plan;
  say(
    `Plan ${finalized.status}: ${plural(finalized.aiTasks.length, 'AI task')} queued, ${plural(finalized.csmTasks.length, 'CSM task')} created; Salesforce Tasks mirrored: ${finalized.mirror.synced} (pending ${finalized.mirror.pending}, failed ${finalized.mirror.failed})`,
  );

  section('AI Tasks Executing');
  const queued = (await api('GET', `/tasks?auto_execute=true&execution_status=queued&execution_id=${execution.id}`)).tasks as any[];
  queued.sort((a, b) => a.priority - b.priority || a.key.localeCompare(b.key));
  for (const t of queued) {
    const run = await runTaskNow(deps, t.id);
    if (run.kind === 'blocked') {
      say(`  ⏸ ${t.action} [${t.processor}] → waits for: ${run.blockers.map((b) => b.action).join('; ')}`);
      continue;
    }
    const { task } = run;
    const result = task.executionResult as { summary?: string; error?: string | { message?: string } } | null;
    const error = typeof result?.error === 'string' ? result.error : result?.error?.message;
    const detail = result?.summary ?? error;
    say(
      `  ${task.executionStatus === 'success' ? '✓' : task.executionStatus === 'failed' ? '✗' : '…'} ${t.action} [${t.processor}] → ${task.executionStatus}${detail ? `: ${detail}` : ''}`,
    );
  }

  section('The CFO Meeting Booked');
  // The CFO task is a meeting: three slots in the org's business hours, the CSM takes the first, the Event is booked.
  const meeting = finalized.csmTasks.find((t: any) => t.kind === 'meeting');
  if (meeting) {
    const { slots } = await api('GET', `/tasks/${meeting.taskId}/meeting-slots`);
    for (const s of slots) say(`  slot: ${s.localDate} ${s.localTime} (${s.timeZone}) = ${s.start}`);
    const { task: booking } = await api('POST', `/tasks/${meeting.taskId}/meeting`, {
      slotStart: slots[0]?.start ?? null,
      meetingLink: 'https://meet.example.com/acme-cfo',
    });
    const run = await runTaskNow(deps, booking.id);
    const booked = run.task.executionResult as { summary?: string; eventId?: string } | null;
    say(
      `  ${run.task.executionStatus === 'success' ? '✓' : '✗'} ${booked?.summary ?? run.task.executionStatus} Salesforce Event ${booked?.eventId ?? 'none'}`,
    );
  }
  const feed = await app.request('/preview-apex/api/calendar/feed', {
    method: 'POST',
    headers: { authorization: `Bearer ${deps.apiKey}`, 'x-salesforce-user-id': JORDAN },
  });
  say(`  Jordan's calendar feed (subscribe in Google Calendar or Outlook): ${((await feed.json()) as any).url}`);

  section('A Dependency Unblocked');
  // The executive sponsor reports the CFO engaged: the reminder that waited for it runs now.
  const cfo = finalized.csmTasks.find((t: any) => finalized.aiTasks.some((a: any) => a.dependsOn.includes(t.key)));
  if (cfo) {
    // Its sub-tasks first, as the CSM ticks them on the card: a parent completed over open sub-tasks would read as
    // done above unticked boxes.
    for (const sub of cfo.subTasks ?? []) {
      await api('PATCH', `/tasks/${sub.taskId}`, { status: 'completed' });
      say(`  ✓ ${sub.action}`);
    }
    await api('PATCH', `/tasks/${cfo.taskId}`, { status: 'completed' });
    say(`  ✓ ${cfo.action} completed by ${cfo.assignee?.name ?? 'the CSM'}`);
    for (const waiting of finalized.aiTasks.filter((a: any) => a.dependsOn.includes(cfo.key))) {
      const run = await runTaskNow(deps, waiting.taskId);
      say(`  ${run.kind === 'ran' && run.task.executionStatus === 'success' ? '✓' : '…'} ${waiting.action} → ${run.task.executionStatus}`);
    }
  }

  section('Next Workflow Scheduled');
  const scheduled =
    await db.sql`SELECT stage, name, to_char(trigger_date, 'YYYY-MM-DD') AS date, status, conditions FROM scheduled_workflows WHERE source_execution_id = ${execution.id}`;
  for (const s of scheduled)
    say(`  ${s.name} (${s.stage}) ${s.status} for ${s.date}; conditions: ${(s.conditions as string[]).join('; ')}`);
  say('  When the date comes, the open Discovery tasks carry over into the Prepare workflow.');

  rule('CUSTOMER ENGAGEMENT');
  // Jordan sends the usage report from Salesforce (Enhanced Email, open tracking on); Eric does not open it.
  const eric = org.records('Contact').find((c) => c.Name === 'Eric Estrada')!;
  org.sendEmail({ Subject: 'Q3 usage report', ToAddress: String(eric.Email), RelatedToId: ACME });
  say(`  ${today}: Jordan Lee sends "Q3 usage report" to Eric Estrada from Salesforce (tracked). It goes unopened.`);
  const due = deps.calendar.add(today, ENGAGEMENT_DAYS);
  for (let day = addDays(today, 1); day <= due; day = addDays(day, 1)) {
    const onDay = { ...deps, ...clockFrom(middayOf(day)) };
    const run = await runEngagementRules(onDay);
    const business = deps.calendar.businessDaysBetween(today, day);
    say(
      `  ${day}: ${plural(business, 'business day')} without an open${run.fired ? '' : ' — nothing yet'}${deps.calendar.isBusinessDay(day) ? '' : ' (not a business day)'}`,
    );
  }
  const view = (await api('GET', `/executions/${execution.id}/action-plan`)).plan;
  for (const t of view.addedTasks.filter((a: any) => a.explanation))
    say(
      `  Follow-up: ${t.action} — due ${t.dueDate}${t.salesforceTaskId ? `, Salesforce Task ${t.salesforceTaskId}` : ''}\n    Why: ${t.explanation}`,
    );
  section("Renewal Portfolio (Jordan Lee's book, soonest first)");
  const book = await app.request('/preview-apex/api/portfolio?owner=me&sort=daysToRenewal', {
    headers: { authorization: `Bearer ${deps.apiKey}`, 'x-salesforce-user-id': JORDAN },
  });
  for (const r of ((await book.json()) as any).rows) {
    say(
      `  ${r.name}: ${r.daysToRenewal} days (${r.stage.name}), ${money(r.amount)}; plan ${r.planStatus}; ${plural(r.openTasks, 'open task')} (${r.overdueTasks} overdue), ${r.failedAiTasks} AI failed; last engagement ${r.lastEngagement ?? 'none'}`,
    );
    for (const risk of r.risks) say(`    ⚑ ${risk.reason}`);
    if (r.risks.length === 0) say('    no risk flags');
  }
  rule('DEMO COMPLETE');
} finally {
  await org.close();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
}
