import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * The vertical slice: opportunity → execution → plan → finalize → Postgres → Salesforce Tasks, and back. Each test
 * starts from a fresh database and org and builds the state it needs with the fixtures below, so none depends on
 * another or on their order.
 */
describe('renewal action plan slice', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.close());

  const mirrored = () => h.org.records('Task').filter((t) => t.Action_Plan_Task_Id__c);
  /** Starts the Discovery demo opportunity's workflow; its execution id. */
  const started = async (): Promise<string> =>
    (await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution.id;
  /** A started workflow with a generated draft plan. */
  const drafted = async (): Promise<{ executionId: string; plan: any }> => {
    const executionId = await started();
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    return { executionId, plan: res.body.plan };
  };

  it('starts the Discovery workflow, and starting again returns the same execution', async () => {
    const first = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    expect(first.status).toBe(201);
    expect(first.body.execution).toMatchObject({
      stage: 'Discovery',
      urgency: 'low',
      daysToRenewal: 165,
      status: 'in_progress',
      currentPlanId: null,
    });
    expect(first.body.execution.steps.at(-1)).toMatchObject({ id: 'action-plan', type: 'planning', status: 'pending' });
    const executionId = first.body.execution.id;
    const again = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    expect(again.status).toBe(200);
    expect(again.body.execution.id).toBe(executionId);
  });

  it('has no plan before one is generated', async () => {
    const executionId = await started();
    const res = await h.api('GET', `/api/workflows/executions/${executionId}/action-plan`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('generates a draft plan grounded in the CRM, with the change each AI task will make', async () => {
    const executionId = await started();
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    expect(res.status).toBe(201);
    const plan = res.body.plan;
    expect(plan).toMatchObject({ status: 'draft', version: 1, planner: 'playbook', stage: 'Discovery' });
    const updater = plan.aiTasks.find((t: any) => t.processor === 'salesforce-contact-updater');
    expect(updater.change).toMatch(/Primary_Contact__c Sarah Chen → Eric Estrada/);
    expect(updater.taskId).toBeNull();
    expect(plan.csmTasks.find((t: any) => t.complexity === 'complex').subTasks.length).toBeGreaterThan(0);
    expect(plan.nextWorkflow.stage).toBe('Prepare');
    expect(mirrored()).toHaveLength(0);
  });

  it('regenerating makes version 2 and supersedes version 1', async () => {
    const { executionId } = await drafted();
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    expect(res.body.plan.version).toBe(2);
    const superseded =
      await h.sql`SELECT count(*)::int AS n FROM action_plans WHERE execution_id = ${executionId} AND status = 'superseded'`;
    expect(superseded[0]!.n).toBe(1);
  });

  it('finalizes with edits in one transaction and mirrors every top-level task as a Salesforce Task', async () => {
    const { executionId, plan } = await drafted();
    const reminder = plan.aiTasks.find((t: any) => t.processor === 'follow-up-reminder-creator');
    const csm = plan.csmTasks[0];
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {
      planId: plan.id,
      edits: [
        { key: reminder.key, include: false },
        { key: csm.key, priority: 5, action: 'Call Eric Estrada this week' },
      ],
    });
    expect(res.status).toBe(200);
    const done = res.body.plan;
    expect(done.status).toBe('finalized');
    expect(done.aiTasks.some((t: any) => t.key === reminder.key)).toBe(false);
    expect(done.csmTasks.find((t: any) => t.key === csm.key)).toMatchObject({ priority: 5, action: 'Call Eric Estrada this week' });
    expect(done.mirror).toEqual({ synced: done.aiTasks.length + done.csmTasks.length, pending: 0, failed: 0, stuck: [] });

    const ai = await h.sql`SELECT * FROM workflow_tasks WHERE execution_id = ${executionId} AND owner = 'AI'`;
    expect(ai).toHaveLength(done.aiTasks.length);
    expect(ai.every((t) => t.auto_execute === true && t.execution_status === 'queued' && t.processor)).toBe(true);
    const subs = await h.sql`SELECT * FROM workflow_tasks WHERE execution_id = ${executionId} AND parent_task_id IS NOT NULL`;
    const complex = done.csmTasks.find((t: any) => t.complexity === 'complex');
    expect(subs).toHaveLength(complex.subTasks.length);
    expect(new Set(subs.map((s) => s.parent_task_id))).toEqual(new Set([complex.taskId]));
    const [scheduled] = await h.sql`SELECT * FROM scheduled_workflows WHERE source_plan_id = ${plan.id}`;
    expect(scheduled).toMatchObject({ stage: 'Prepare', status: 'scheduled' });
    const notes = await h.sql`SELECT * FROM notifications WHERE plan_id = ${plan.id}`;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.user_id).toBe(h.users['Jordan Lee']);
    const [execution] = await h.sql`SELECT status FROM workflow_executions WHERE id = ${executionId}`;
    expect(execution!.status).toBe('completed');

    const tasks = mirrored();
    expect(tasks).toHaveLength(done.aiTasks.length + done.csmTasks.length);
    const csmRecord = tasks.find((t) => t.Action_Plan_Task_Id__c === done.csmTasks.find((t: any) => t.key === csm.key).taskId)!;
    expect(csmRecord).toMatchObject({
      WhatId: h.discoveryId,
      OwnerId: h.users['Jordan Lee'],
      Subject: 'Call Eric Estrada this week',
      Priority: 'Low',
      Status: 'Not Started',
    });
    const complexRecord = tasks.find((t) => t.Action_Plan_Task_Id__c === complex.taskId)!;
    expect(String(complexRecord.Description)).toContain('[ ] ');
    const updaterRecord = tasks.find((t) => String(t.Subject).startsWith('[AI] Update primary contact'));
    expect(updaterRecord?.Priority).toBe('High');
  });

  it('finalizing twice creates nothing twice', async () => {
    const { executionId, plan } = await h.finalizedPlan();
    const before = await h.sql`SELECT count(*)::int AS n FROM workflow_tasks`;
    const sfBefore = mirrored().length;
    const again = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, { planId: plan.id });
    expect(again.status).toBe(200);
    expect(again.body.plan.status).toBe('finalized');
    const after = await h.sql`SELECT count(*)::int AS n FROM workflow_tasks`;
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(mirrored()).toHaveLength(sfBefore);
    const notes = await h.sql`SELECT count(*)::int AS n FROM notifications`;
    expect(notes[0]!.n).toBe(1);
  });

  it('lists the queued AI tasks', async () => {
    const { plan } = await h.finalizedPlan();
    const res = await h.api('GET', '/api/workflows/tasks?auto_execute=true&execution_status=queued');
    expect(res.status).toBe(200);
    expect(res.body.tasks.map((t: any) => t.id).sort()).toEqual(plan.aiTasks.map((t: any) => t.taskId).sort());
    expect(res.body.tasks.every((t: any) => t.autoExecute && t.executionStatus === 'queued')).toBe(true);
  });

  it('pages through tasks with a cursor', async () => {
    const { executionId } = await h.finalizedPlan();
    const all = await h.api('GET', `/api/workflows/tasks?execution_id=${executionId}&limit=200`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.api('GET', `/api/workflows/tasks?execution_id=${executionId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.tasks.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.tasks.map((t: any) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual(all.body.tasks.map((t: any) => t.id));
  });

  it('completing a task through the service completes its Salesforce Task', async () => {
    const { plan } = await h.finalizedPlan();
    const task = plan.csmTasks[0];
    const res = await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { status: 'completed' });
    expect(res.status).toBe(200);
    expect(res.body.task).toMatchObject({ status: 'completed', mirrorStatus: 'synced' });
    const record = mirrored().find((t) => t.Action_Plan_Task_Id__c === task.taskId)!;
    expect(record.Status).toBe('Completed');
  });

  it('ticking a sub-task updates the checklist on the parent Salesforce Task', async () => {
    const { plan } = await h.finalizedPlan();
    const complex = plan.csmTasks.find((t: any) => t.complexity === 'complex');
    const res = await h.api('PATCH', `/api/workflows/tasks/${complex.subTasks[0].taskId}`, { status: 'completed' });
    expect(res.status).toBe(200);
    const parent = mirrored().find((t) => t.Action_Plan_Task_Id__c === complex.taskId)!;
    expect(String(parent.Description)).toContain(`[x] ${complex.subTasks[0].action}`);
  });

  it('a Task completed in Salesforce completes the plan task on the next sync', async () => {
    const { plan } = await h.finalizedPlan();
    const task = plan.csmTasks.find((t: any) => t.complexity === 'complex');
    const record = mirrored().find((t) => t.Action_Plan_Task_Id__c === task.taskId)!;
    h.org.updateRecord('Task', String(record.Id), { Status: 'Completed' });
    const { completed } = await syncTaskStatusFromSalesforce(h.deps);
    expect(completed).toEqual([task.taskId]);
    const [row] = await h.sql`SELECT status, completed_at FROM workflow_tasks WHERE id = ${task.taskId}`;
    expect(row!.status).toBe('completed');
    expect(row!.completed_at).not.toBeNull();
    expect((await syncTaskStatusFromSalesforce(h.deps)).completed).toEqual([]);
  });

  it('answers 304 to an unchanged ETag and never serves a stale view after a change', async () => {
    const { executionId, plan } = await h.finalizedPlan();
    const path = `/api/workflows/executions/${executionId}/action-plan`;
    const first = await h.app.request(path, {
      headers: {
        authorization: 'Bearer test-service-api-key-0123456789abcdef',
        'x-salesforce-user-id': h.users['Jordan Lee']!,
        'x-salesforce-assertion': await h.assertionFor(),
      },
    });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}-\d{4}-\d\d-\d\d"$/); // the view stamp and the day (steps turn overdue)
    const same = await h.api('GET', path, undefined, { headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304);
    const task = plan.csmTasks.find((t: any) => t.complexity !== 'complex' && t.key !== plan.csmTasks[0].key);
    await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { status: 'in_progress' });
    const changed = await h.api('GET', path, undefined, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.body.plan.csmTasks.find((t: any) => t.key === task.key).status).toBe('in_progress');
    // A change made behind the service's back (another instance, the executor) is seen too.
    await h.sql`UPDATE workflow_tasks SET execution_status = 'running' WHERE id = ${plan.aiTasks[0].taskId}`;
    const again = await h.api('GET', path);
    expect(again.body.plan.aiTasks[0].executionStatus).toBe('running');
  });

  it('snoozes a task and un-snoozes it', async () => {
    const { plan } = await h.finalizedPlan();
    const task = plan.csmTasks[0];
    const until = '2030-01-07T09:00:00Z';
    const snoozed = await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { snoozedUntil: until });
    expect(snoozed.body.task.status).toBe('snoozed');
    expect(new Date(snoozed.body.task.snoozedUntil).toISOString()).toBe(new Date(until).toISOString());
    const back = await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { snoozedUntil: null });
    expect(back.body.task).toMatchObject({ status: 'pending', snoozedUntil: null });
  });

  it('runs an AI task on a manual execute and returns its result', async () => {
    const { plan } = await h.finalizedPlan();
    const ai = plan.aiTasks[0];
    const res = await h.api('POST', `/api/workflows/tasks/${ai.taskId}/execute`);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toEqual({ status: 'success', error: null });
    expect(res.body.task.executionStatus).toBe('success');
    const again = await h.api('POST', `/api/workflows/tasks/${ai.taskId}/execute`);
    expect(again.status).toBe(409);
    const csm = await h.api('POST', `/api/workflows/tasks/${plan.csmTasks[0].taskId}/execute`);
    expect(csm.status).toBe(409);
  });

  // The new draft becomes the plan the CSM reviews (tests/integration/replan.test.ts follows a re-plan to finalize).
  it('generating over a finalized plan whose contact update ran makes a draft version 2 against it, leaving version 1 in force', async () => {
    const { executionId, plan } = await h.finalizedPlan();
    expect(plan.aiTasks[0].processor).toBe('salesforce-contact-updater');
    expect((await h.api('POST', `/api/workflows/tasks/${plan.aiTasks[0].taskId}/execute`)).body.outcome.status).toBe('success');
    const tasksBefore = await h.sql`SELECT count(*)::int AS n FROM workflow_tasks`;
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    expect(res.status).toBe(201);
    expect(res.body.plan).toMatchObject({ status: 'draft', version: 2, diff: { previousVersion: 1 } });
    // The contact update ran, so the CRM no longer calls for it: version 2 drops it, and it stays done on version 1.
    expect(res.body.plan.diff.removed.map((t: any) => t.action)).toContain(plan.aiTasks[0].action);
    const carried = [...res.body.plan.aiTasks, ...res.body.plan.csmTasks].filter((t: any) => t.carried);
    expect(carried.length).toBeGreaterThan(0);
    expect(carried.every((t: any) => plan.aiTasks.concat(plan.csmTasks).some((p: any) => p.taskId === t.carried.fromTaskId))).toBe(true);
    const [v1] = await h.sql`SELECT status FROM action_plans WHERE id = ${plan.id}`;
    expect(v1!.status).toBe('finalized');
    const tasksAfter = await h.sql`SELECT count(*)::int AS n FROM workflow_tasks`;
    expect(tasksAfter[0]!.n).toBe(tasksBefore[0]!.n);
    const current = await h.api('GET', `/api/workflows/executions/${executionId}/action-plan`);
    expect(current.body.plan.id).toBe(res.body.plan.id);
  });
});
