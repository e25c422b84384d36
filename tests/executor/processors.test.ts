import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MailgunProvider } from '../../service/src/email/mailgun.ts';
import type { EmailProvider } from '../../service/src/email/provider.ts';
import { SendGridProvider } from '../../service/src/email/sendgrid.ts';
import { processorRegistry } from '../../processors/registry.ts';
import { Executor } from '../../service/src/executor/executor.ts';
import { executorOptions } from '../../service/src/executor/options.ts';
import { processorServices } from '../../service/src/executor/services.ts';
import { discoveryContext } from '../../service/src/plan/discovery.fixture.ts';
import { startEmailProviderTestServer, type EmailProviderTestServer } from '../email-provider-server/index.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { DEMO_IDS } from '../../dev/demo-seed/index.ts';
import { insertAiTasks, seedPlan, statusOf } from '../../testkit/executor/fixtures.ts';

const C = DEMO_IDS.contacts;
const ACME = DEMO_IDS.opportunities.acme;
const contact = (name: string, salesforceId: string) => ({ name, salesforceId });

/** The five processors, run by the real executor against the local Salesforce org emulator (not Salesforce) through jsforce. */
describe('processors', () => {
  let h: Harness;
  let plan: { executionId: string; planId: string };
  let email: EmailProviderTestServer;

  const executor = (provider?: EmailProvider) =>
    new Executor({
      db: h.db,
      registry: processorRegistry,
      services: processorServices(h.deps, provider),
      options: { ...executorOptions(h.deps.env, 'test-worker'), retryDelayMs: 0 },
    });
  /** Runs the one queued task through a claim-and-run cycle, as the system cron's `--once` does; its row afterwards. */
  const run = async (id: string, provider?: EmailProvider) => {
    const outcomes = await executor(provider).runOnce();
    expect(outcomes.map((o) => o.taskId)).toEqual([id]);
    return statusOf(h.sql, id);
  };
  const task = async (processor: string, metadata: Record<string, unknown>) =>
    (await insertAiTasks(h.sql, plan, [{ processor, metadata }], ACME))[0]!;
  const opportunity = () => h.org.records('Opportunity').find((o) => o.Id === ACME)!;
  const tasksKeyed = (key: string) => h.org.records('Task').filter((t) => t.Action_Plan_Task_Id__c === key);

  beforeAll(async () => {
    h = await startHarness();
    plan = await seedPlan(h.sql, { opportunityId: ACME });
    email = await startEmailProviderTestServer({ sendGridKey: 'SG.test-key', mailgunKey: 'mg-test-key', mailgunDomain: 'mg.acme.test' });
  });
  afterAll(async () => {
    await email?.close();
    await h?.close();
  });
  beforeEach(() => {
    email.calls.length = 0;
  });

  describe('salesforce-contact-updater', () => {
    it('sets Primary_Contact__c and Previous_Contact__c, logs one completed audit Task and re-points local tasks', async () => {
      const [csmTask] = await h.sql<{ id: string }[]>`
        INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, contact_id)
        VALUES (${plan.planId}, ${plan.executionId}, ${ACME}, 'csm-call-sarah', 'CSM', 'Call the primary contact', ${C.sarahChen}) RETURNING id`;
      const id = await task('salesforce-contact-updater', {
        oldContact: contact('Sarah Chen', C.sarahChen),
        newContact: contact('Eric Estrada', C.ericEstrada),
        updateLocalRecord: true,
      });
      const row = await run(id);
      expect(row.executionStatus).toBe('success');
      expect(opportunity()).toMatchObject({ Primary_Contact__c: C.ericEstrada, Previous_Contact__c: C.sarahChen });
      const [audit, ...more] = tasksKeyed(`${id}:audit`);
      expect(more).toHaveLength(0);
      expect(audit).toMatchObject({
        Status: 'Completed',
        WhatId: ACME,
        WhoId: C.ericEstrada,
        Subject: 'Primary contact changed: Sarah Chen → Eric Estrada',
      });
      expect(row.executionResult).toMatchObject({ auditTaskId: audit!.Id, localTasksRepointed: 1 });
      expect((await h.sql`SELECT contact_id FROM workflow_tasks WHERE id = ${csmTask!.id}`)[0]!.contact_id).toBe(C.ericEstrada);
    });

    it("fails for good, changing nothing, when a contact is not on the opportunity's account", async () => {
      const before = opportunity();
      const id = await task('salesforce-contact-updater', {
        oldContact: null,
        newContact: contact('Linda Okafor', C.lindaOkafor),
        updateLocalRecord: false,
      });
      const row = await run(id);
      expect(row).toMatchObject({ executionStatus: 'failed', attempts: 1 });
      expect(row.executionResult).toMatchObject({ code: 'WRONG_ACCOUNT', permanent: true });
      expect(row.executionResult.error).toMatch(/Linda Okafor .* does not belong to the opportunity's account/);
      expect(opportunity().Primary_Contact__c).toBe(before.Primary_Contact__c);
    });

    it('retries UNABLE_TO_LOCK_ROW and succeeds', async () => {
      const id = await task('salesforce-contact-updater', {
        oldContact: null,
        newContact: contact('Priya Patel', C.priyaPatel),
        updateLocalRecord: false,
      });
      h.org.injectFault({ count: 1, errorCode: 'UNABLE_TO_LOCK_ROW', methods: ['PATCH'] });
      expect((await run(id)).executionStatus).toBe('success');
      expect(opportunity().Primary_Contact__c).toBe(C.priyaPatel);
    });

    it('never duplicates the audit Task when writes were applied but their answers were lost, across executor retries', async () => {
      const id = await task('salesforce-contact-updater', {
        oldContact: contact('Priya Patel', C.priyaPatel),
        newContact: contact('Dana Whitfield', C.danaWhitfield),
        updateLocalRecord: false,
      });
      // The audit Task upsert is applied every time but its answer is lost, through all of the first attempt's retries.
      const auditUpsert = {
        errorCode: 'SERVER_UNAVAILABLE',
        mode: 'after-write' as const,
        methods: ['PATCH'],
        pathContains: '/sobjects/Task/Action_Plan_Task_Id__c/',
      };
      h.org.injectFault({ ...auditUpsert, count: 4 });
      const first = await run(id);
      expect(first).toMatchObject({ executionStatus: 'queued', attempts: 1 });
      expect(first.executionResult.error).toMatch(/SERVER_UNAVAILABLE/);
      expect(tasksKeyed(`${id}:audit`)).toHaveLength(1);
      h.org.injectFault({ ...auditUpsert, count: 1 });
      const second = await run(id);
      expect(second).toMatchObject({ executionStatus: 'success', attempts: 2 });
      expect(tasksKeyed(`${id}:audit`)).toHaveLength(1);
      expect(opportunity()).toMatchObject({ Primary_Contact__c: C.danaWhitfield, Previous_Contact__c: C.priyaPatel });
    });
  });

  describe('follow-up-reminder-creator', () => {
    it('creates a CSM task snoozed until N business days ahead (skipping Thanksgiving and the weekend), mirrored with a reminder', async () => {
      const id = await task('follow-up-reminder-creator', {
        daysUntilReminder: 2,
        reminderMessage: 'Follow up on the CFO meeting request',
        reminderPriority: 2,
        relatedAction: 'Meeting request sent',
      });
      const row = await run(id);
      expect(row.executionStatus).toBe('success');
      // Wed 2026-11-25 + 2 business days: Thu 26 is Thanksgiving, Fri 27 is one, Mon 30 is two.
      expect(row.executionResult).toMatchObject({ reminderDate: '2026-11-30', created: true });
      const [reminder] = await h.sql`SELECT * FROM workflow_tasks WHERE id = ${row.executionResult.reminderTaskId}`;
      expect(reminder).toMatchObject({
        owner: 'CSM',
        status: 'snoozed',
        priority: 2,
        action: 'Follow up: Meeting request sent',
        mirror_status: 'synced',
      });
      expect(reminder!.snoozed_until.toISOString()).toBe('2026-11-30T00:00:00.000Z');
      const [sfTask, ...dupes] = tasksKeyed(reminder!.id);
      expect(dupes).toHaveLength(0);
      expect(sfTask).toMatchObject({
        IsReminderSet: true,
        ActivityDate: '2026-11-30',
        Status: 'Deferred',
        Id: reminder!.salesforce_task_id,
      });
      expect(String(sfTask!.ReminderDateTime)).toMatch(/^2026-11-30T08:00:00/);
    });

    it('creates the Task its change preview showed the CSM: the same Subject and Description', async () => {
      const metadata = {
        daysUntilReminder: 5,
        reminderMessage: 'Follow up on the CFO meeting request',
        reminderPriority: 2,
        relatedAction: 'Engage the economic buyer (CFO)',
      };
      const preview = processorRegistry.get('follow-up-reminder-creator')!.changePreview(metadata, discoveryContext());
      const shown = Object.fromEntries(preview.fields.map((f) => [f.field, f.newValue]));
      const row = await run(await task('follow-up-reminder-creator', metadata));
      const [sfTask] = tasksKeyed(row.executionResult.reminderTaskId as string);
      expect(sfTask!.Subject).toBe(shown.Subject);
      // The mirror adds its provenance line under the description.
      expect(String(sfTask!.Description).split('\n')[0]).toBe(shown.Description);
      expect(shown.Subject).toBe('Follow up: Engage the economic buyer (CFO)');
      expect(preview.description).toContain('"Follow up: Engage the economic buyer (CFO)"');
    });

    it('creates one reminder and one Salesforce Task when the first attempt lost its answers', async () => {
      const id = await task('follow-up-reminder-creator', {
        daysUntilReminder: 1,
        reminderMessage: 'Check in',
        reminderPriority: 3,
        relatedAction: 'QBR invite',
      });
      h.org.injectFault({ count: 4, errorCode: 'SERVER_UNAVAILABLE', mode: 'after-write', methods: ['PATCH'] });
      expect((await run(id)).executionStatus).toBe('queued');
      const done = await run(id);
      expect(done).toMatchObject({ executionStatus: 'success', attempts: 2 });
      expect(done.executionResult).toMatchObject({ reminderDate: '2026-11-27', created: false });
      const reminders =
        await h.sql`SELECT id FROM workflow_tasks WHERE plan_task_key LIKE '%-reminder' AND metadata->>'createdByTaskId' = ${id}`;
      expect(reminders).toHaveLength(1);
      expect(tasksKeyed(reminders[0]!.id)).toHaveLength(1);
    });
  });

  describe('email-engagement-tracker', () => {
    const meta = {
      emailId: 'msg_123',
      emailSubject: 'CFO Value Briefing',
      sentTo: 'cfo@acme.test',
      trackOpens: true,
      trackClicks: true,
      notifyOnOpen: true,
    };

    it('enables open and click tracking through the SendGrid API and creates the tracking record and monitoring task', async () => {
      const provider = new SendGridProvider({ apiKey: 'SG.test-key', baseUrl: email.url });
      const id = await task('email-engagement-tracker', meta);
      const row = await run(id, provider);
      expect(row.executionStatus).toBe('success');
      expect(email.calls.map((c) => `${c.method} ${c.path} ${c.body}`)).toEqual([
        'PATCH /v3/tracking_settings/open {"enabled":true}',
        'PATCH /v3/tracking_settings/click {"enabled":true}',
      ]);
      expect(email.calls[0]!.authorization).toBe('Bearer SG.test-key');
      expect(row.executionResult).toMatchObject({ provider: 'sendgrid', trackingEnabled: { opens: true, clicks: true } });
      const [tracking] = await h.sql`SELECT * FROM email_tracking WHERE task_id = ${id}`;
      expect(tracking).toMatchObject({ provider: 'sendgrid', email_id: 'msg_123', opens: 0 });
      const [monitor] = await h.sql`SELECT * FROM workflow_tasks WHERE id = ${row.executionResult.monitorTaskId}`;
      expect(monitor).toMatchObject({ owner: 'AI', auto_execute: false, action: 'Monitor engagement: CFO Value Briefing' });
      expect(monitor!.metadata).toMatchObject({ monitorsTaskId: id, emailId: 'msg_123' });
    });

    it('enables tracking through the Mailgun API (form body, basic auth)', async () => {
      const provider = new MailgunProvider({ apiKey: 'mg-test-key', domain: 'mg.acme.test', baseUrl: email.url });
      const id = await task('email-engagement-tracker', { ...meta, emailId: 'msg_mg_1', trackClicks: false });
      const row = await run(id, provider);
      expect(row.executionStatus).toBe('success');
      expect(email.calls.map((c) => `${c.method} ${c.path} ${c.body}`)).toEqual(['PUT /v3/domains/mg.acme.test/tracking/open active=yes']);
      expect(email.calls[0]!.authorization).toBe(`Basic ${Buffer.from('api:mg-test-key').toString('base64')}`);
      expect(row.executionResult).toMatchObject({ provider: 'mailgun', trackingEnabled: { opens: true, clicks: false } });
    });

    it('retries a provider 503 and fails for good on a 401 (a wrong key)', async () => {
      const good = new SendGridProvider({ apiKey: 'SG.test-key', baseUrl: email.url });
      const id = await task('email-engagement-tracker', { ...meta, emailId: 'msg_retry' });
      email.failNext(1, 503);
      expect((await run(id, good)).executionStatus).toBe('queued');
      expect((await run(id, good)).executionStatus).toBe('success');
      const bad = new SendGridProvider({ apiKey: 'SG.wrong', baseUrl: email.url });
      const other = await task('email-engagement-tracker', { ...meta, emailId: 'msg_badkey' });
      const row = await run(other, bad);
      expect(row).toMatchObject({ executionStatus: 'failed', attempts: 1 });
      expect(row.executionResult.error).toMatch(/SendGrid answered 401/);
    });
  });

  describe('crm-opportunity-updater and workflow-scheduler', () => {
    it('writes only the whitelisted fields given', async () => {
      const description = opportunity().Description;
      const id = await task('crm-opportunity-updater', {
        fields: { NextStep: 'CFO briefing on Dec 3', Description: null, Probability: 70 },
      });
      const row = await run(id);
      expect(row.executionStatus).toBe('success');
      expect(opportunity()).toMatchObject({ NextStep: 'CFO briefing on Dec 3', Probability: 70, Description: description });
    });

    it('refuses fields outside the whitelist as invalid metadata', async () => {
      const id = await task('crm-opportunity-updater', {
        fields: { NextStep: null, Description: null, Probability: null, StageName: 'Closed Won' },
      });
      const row = await run(id);
      expect(row).toMatchObject({ executionStatus: 'failed' });
      expect(row.executionResult.code).toBe('INVALID_METADATA');
      expect(opportunity().StageName).not.toBe('Closed Won');
    });

    it('schedules the next stage workflow once per plan', async () => {
      const a = await task('workflow-scheduler', {
        stage: 'Prepare',
        triggerDate: '2026-12-09',
        conditions: ['Discovery findings reviewed'],
      });
      expect((await run(a)).executionStatus).toBe('success');
      const b = await task('workflow-scheduler', { stage: 'Prepare', triggerDate: '2026-12-11', conditions: [] });
      expect((await run(b)).executionStatus).toBe('success');
      const rows =
        await h.sql`SELECT stage, to_char(trigger_date, 'YYYY-MM-DD') AS d, status FROM scheduled_workflows WHERE source_plan_id = ${plan.planId}`;
      expect(rows).toEqual([{ stage: 'Prepare', d: '2026-12-11', status: 'scheduled' }]);
    });
  });
});
