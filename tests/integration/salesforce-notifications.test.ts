import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor } from '../../service/src/executor/index.ts';
import { watchRenewalDates } from '../../service/src/sync/renewal-watch.ts';
import { sendSalesforceNotifications } from '../../service/src/sync/salesforce-notifications.ts';
import { DEMO_IDS } from '../../dev/demo-seed/demo-ids.ts';
import { startHarness } from '../../testkit/harness.ts';

const ACTION_PATH = '/services/data/v62.0/actions/standard/customNotificationAction';
const CSM = DEMO_IDS.users.jordanLee;
const ADMIN = DEMO_IDS.users.alexAdmin;

/**
 * Each kind of Salesforce notification, triggered the way it happens for real, and the customNotificationAction
 * request the org emulator recorded: to the task's owner (the opportunity's CSM), opening the opportunity, with the
 * notification type the package deploys (looked up by DeveloperName once).
 */
describe('Salesforce notifications (customNotificationAction)', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());
  beforeEach(async () => {
    await h.sql`TRUNCATE workflow_executions CASCADE`;
    await h.sql`DELETE FROM notifications`;
    h.org.resetRequests();
  });

  const opportunity = () => DEMO_IDS.opportunities.acme;
  const sent = () =>
    h.org.requests
      .filter((r) => r.path === ACTION_PATH && r.status === 200)
      .map((r) => (r.body as { inputs: any[] }).inputs)
      .flat();
  const sentFor = (titlePattern: RegExp) => sent().filter((i) => titlePattern.test(i.title));
  const expectOne = (titlePattern: RegExp, body: RegExp) => {
    const inputs = sentFor(titlePattern);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toEqual({
      customNotifTypeId: DEMO_IDS.notificationTypes.renewalActionPlanAlert,
      recipientIds: [CSM],
      title: expect.stringMatching(titlePattern),
      body: expect.stringMatching(body),
      targetId: opportunity(),
    });
  };

  it('an AI task that failed for good', async () => {
    await h.finalizedPlan();
    // The contact updater's write is rejected by a validation rule: permanent, so no retry.
    h.org.injectFault({
      count: 1,
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Primary contact is locked',
      methods: ['PATCH'],
      pathContains: '/sobjects/Opportunity/',
    });
    const executor = createExecutor(h.deps, { options: { workerId: 'notify-test' } });
    const outcomes = await executor.runOnce();
    await executor.stop(); // the mirror and the notifications that follow a run finish first
    expect(outcomes.filter((o) => o.status === 'failed')).toHaveLength(1);
    expectOne(/^AI task failed: /, /FIELD_CUSTOM_VALIDATION_EXCEPTION.*Primary contact is locked/);
  });

  it('a Task Salesforce rejected', async () => {
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId: opportunity() });
    const id = start.body.execution.id;
    await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
    h.org.injectFault({
      count: 1,
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Subject is blocked by a validation rule',
      mode: 'per-record',
    });
    const finalized = await h.api('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
    const n = finalized.body.plan.aiTasks.length + finalized.body.plan.csmTasks.length;
    const rejected = sentFor(/could not be copied to Salesforce$/);
    expect(rejected).toHaveLength(n);
    // Each goes to the person the task is assigned to (the CSM, or a team member in a role), in no set order.
    for (const note of rejected)
      expect(note).toMatchObject({
        recipientIds: [expect.stringMatching(/^005/)],
        targetId: opportunity(),
        body: expect.stringMatching(/^Salesforce rejected the Task: FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject is blocked/),
      });
    expect(rejected.map((note) => note.recipientIds[0])).toContain(CSM);
  });

  it('a renewal date move that needs a re-plan (and the stage it now falls in)', async () => {
    await h.finalizedPlan();
    expect(sent()).toHaveLength(0);
    // In Salesforce, the renewal moves 100 days earlier: from Discovery into Negotiate.
    const close = String(h.org.records('Opportunity').find((o) => o.Id === opportunity())!.CloseDate);
    const moved = new Date(Date.parse(`${close}T00:00:00Z`) - 100 * 86_400_000).toISOString().slice(0, 10);
    h.org.updateRecord('Opportunity', opportunity(), { CloseDate: moved });
    await h.api('POST', '/api/workflows/executions', { opportunityId: opportunity() });
    expectOne(
      /^Renewal date moved: re-plan /,
      new RegExp(`moved from ${close} to ${moved} .*the Negotiate stage; the plan was made for Discovery\\)`),
    );
    // Once per new date, however often the card is opened.
    await h.api('POST', '/api/workflows/executions', { opportunityId: opportunity() });
    await sendSalesforceNotifications(h.deps);
    expect(sentFor(/^Renewal date moved/)).toHaveLength(1);
  });

  it('a renewal date move the sync loop notices, with no card opened', async () => {
    await h.finalizedPlan();
    const close = String(h.org.records('Opportunity').find((o) => o.Id === opportunity())!.CloseDate);
    const moved = new Date(Date.parse(`${close}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    expect(await watchRenewalDates(h.deps)).toEqual({ notified: 0 });
    h.org.updateRecord('Opportunity', opportunity(), { CloseDate: moved });
    expect(await watchRenewalDates(h.deps)).toEqual({ notified: 1 });
    await sendSalesforceNotifications(h.deps);
    expectOne(/^Renewal date moved: re-plan /, new RegExp(`moved from ${close} to ${moved} \\(\\d+ days to renewal, the \\w+ stage`));
    expect(await watchRenewalDates(h.deps)).toEqual({ notified: 0 });
  });

  it('a plan finalized by someone else, and not one the CSM finalized', async () => {
    await h.finalizedPlan(); // Jordan, the CSM, finalizes their own plan: no bell
    expect(sentFor(/^Action plan/)).toHaveLength(0);

    await h.sql`TRUNCATE workflow_executions CASCADE`;
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId: opportunity() }, { user: ADMIN });
    const id = start.body.execution.id;
    await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`, undefined, { user: ADMIN });
    expect((await h.api('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {}, { user: ADMIN })).status).toBe(200);
    expectOne(/^Action plan finalized$/, /AI tasks? queued, \d+ CSM tasks? created/);
  });

  it('sends nothing of a kind turned off, and the in-service list keeps it', async () => {
    const env = h.deps.env;
    h.deps.env = { ...env, SALESFORCE_NOTIFICATIONS: ['ai-task-failed', 'task-rejected', 'replan-needed'] };
    try {
      const start = await h.api('POST', '/api/workflows/executions', { opportunityId: opportunity() }, { user: ADMIN });
      const id = start.body.execution.id;
      await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`, undefined, { user: ADMIN });
      await h.api('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {}, { user: ADMIN });
      expect(sent()).toHaveLength(0);
      const listed = await h.api('GET', '/api/notifications');
      expect(listed.body.notifications.map((n: { kind: string }) => n.kind)).toContain('plan-finalized');
      const states = await h.sql`SELECT salesforce_state FROM notifications WHERE kind = 'plan-finalized'`;
      expect(states.map((s) => s.salesforce_state)).toEqual(['skipped']);
    } finally {
      h.deps.env = env;
    }
  });

  it('looks the notification type up once, and retries while the org lacks it', async () => {
    const typeQueries = () => h.org.requests.filter((r) => r.soql?.includes('FROM CustomNotificationType')).length;
    const env = h.deps.env;
    h.deps.env = { ...env, SF_NOTIFICATION_TYPE: 'Not_Deployed' };
    try {
      await h.finalizedPlan();
      await h.sql`UPDATE notifications SET salesforce_state = NULL, salesforce_attempts = 0 WHERE kind = 'plan-finalized'`;
      await h.sql`UPDATE action_plans SET finalized_by = ${ADMIN}`;
      await sendSalesforceNotifications(h.deps);
      const [row] = await h.sql`SELECT salesforce_state, salesforce_error FROM notifications WHERE kind = 'plan-finalized'`;
      expect(row).toMatchObject({
        salesforce_state: null,
        salesforce_error: expect.stringMatching(/no Custom Notification Type Not_Deployed/),
      });
    } finally {
      h.deps.env = env;
    }
    const before = typeQueries();
    await sendSalesforceNotifications(h.deps);
    await sendSalesforceNotifications(h.deps);
    expect(sentFor(/^Action plan finalized$/)).toHaveLength(1);
    expect(typeQueries() - before).toBeLessThanOrEqual(1);
  });
});
