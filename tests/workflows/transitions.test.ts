import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../service/src/calendar/dates.ts';
import { NotFound } from '../../service/src/domain-errors.ts';
import { startScheduledWorkflow } from '../../service/src/schedules/start-scheduled.ts';
import { startHarness, TODAY, type Harness } from '../../testkit/harness.ts';

/** Finalizes the Discovery plan of the demo opportunity and returns its scheduled Prepare workflow. */
async function finalizeDiscovery(h: Harness) {
  const started = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
  const id = started.body.execution.id;
  await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
  const finalized = await h.api('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
  expect(finalized.status).toBe(200);
  const [scheduled] =
    await h.sql`SELECT id, stage, to_char(trigger_date, 'YYYY-MM-DD') AS "triggerDate", status FROM scheduled_workflows WHERE source_execution_id = ${id}`;
  return { id, plan: finalized.body.plan, scheduled: scheduled! };
}

describe('stage transition: Discovery to Prepare', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('tells a schedule that the scheduled workflow does not exist with a domain error, not an HTTP one', async () => {
    const missing = startScheduledWorkflow(h.deps, '00000000-0000-4000-8000-000000000000');
    await expect(missing).rejects.toBeInstanceOf(NotFound);
    await expect(missing).rejects.not.toHaveProperty('status');
  });

  it('starts the scheduled Prepare workflow on its date with the open Discovery tasks carried over', async () => {
    const discovery = await finalizeDiscovery(h);
    expect(discovery.scheduled).toMatchObject({ stage: 'Prepare', status: 'scheduled' });
    const [done, ...open] = discovery.plan.csmTasks;
    expect((await h.api('PATCH', `/api/workflows/tasks/${done.taskId}`, { status: 'completed' })).status).toBe(200);

    h.deps.today = () => discovery.scheduled.triggerDate;
    const started = await startScheduledWorkflow(h.deps, discovery.scheduled.id);
    if (started.notRenewal) throw new Error('the opportunity is a renewal by the default criteria');
    expect(started.execution.stage).toBe('Prepare');
    expect(started.created).toBe(true);
    const carriedActions = started.carriedOver.map((t) => t.action);
    expect(carriedActions).not.toContain(done.action);
    for (const t of open) expect(carriedActions).toContain(t.action);
    expect(started.carriedOver.every((t) => t.stage === 'Discovery')).toBe(true);
    // Unfinished AI tasks (still queued: no executor ran here) are carried over too.
    expect(started.carriedOver.filter((t) => t.owner === 'AI').length).toBe(discovery.plan.aiTasks.length);
    const [row] = await h.sql`SELECT status, started_execution_id FROM scheduled_workflows WHERE id = ${discovery.scheduled.id}`;
    expect(row).toMatchObject({ status: 'started', started_execution_id: started.execution.id });

    const view = (await h.api('GET', `/api/workflows/executions/${started.execution.id}`)).body.execution;
    expect(view.carriedOverTasks.map((t: any) => t.action).sort()).toEqual([...carriedActions].sort());
    expect(view.steps[0]).toMatchObject({ id: 'open-tasks-review', status: 'pending' });
    const reviewed = await h.api('POST', `/api/workflows/executions/${started.execution.id}/steps/open-tasks-review/run`);
    expect(reviewed.body.execution.steps[0].result.output.carriedOver).toHaveLength(carriedActions.length);

    const again = await startScheduledWorkflow(h.deps, discovery.scheduled.id);
    if (again.notRenewal) throw new Error('the opportunity is a renewal by the default criteria');
    expect(again).toMatchObject({ created: false, execution: { id: started.execution.id } });
  });
});

describe('the renewal date moves', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('moves the scheduled workflow with it and tells the CSM; a move into another stage shows on the execution', async () => {
    const discovery = await finalizeDiscovery(h);
    const before = discovery.scheduled.triggerDate;

    h.org.updateRecord('Opportunity', h.discoveryId, { CloseDate: addDays(TODAY, 175) });
    await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    const [moved] =
      await h.sql`SELECT stage, to_char(trigger_date, 'YYYY-MM-DD') AS "triggerDate" FROM scheduled_workflows WHERE id = ${discovery.scheduled.id}`;
    expect(moved!.stage).toBe('Prepare');
    expect(moved!.triggerDate > before).toBe(true);
    expect(moved!.triggerDate <= addDays(TODAY, 175 - 140)).toBe(true);
    const notes = await h.sql`SELECT body FROM notifications WHERE kind = 'workflow-rescheduled'`;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(new RegExp(`moves from Prepare on ${before} to ${moved!.triggerDate}`));

    h.org.updateRecord('Opportunity', h.discoveryId, { CloseDate: addDays(TODAY, 100) });
    const engage = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    expect(engage.body.execution.stage).toBe('Engage');
    const [now] =
      await h.sql`SELECT stage, to_char(trigger_date, 'YYYY-MM-DD') AS "triggerDate" FROM scheduled_workflows WHERE id = ${discovery.scheduled.id}`;
    expect(now).toMatchObject({ stage: 'Engage', triggerDate: TODAY });
    expect((await h.sql`SELECT body FROM notifications WHERE kind = 'workflow-rescheduled' ORDER BY created_at`).at(-1)!.body).toMatch(
      /the Engage workflow moves from Prepare/,
    );
  });

  it('shows an execution in progress that the renewal date now puts in another stage', async () => {
    const northwind = h.opportunities['Northwind Health — FY27 Renewal']!;
    const started = await h.api('POST', '/api/workflows/executions', { opportunityId: northwind });
    expect(started.body.execution).toMatchObject({ stage: 'Negotiate', stageChange: null });
    h.org.updateRecord('Opportunity', northwind, { CloseDate: addDays(TODAY, 50) });
    const ran = await h.api('POST', `/api/workflows/executions/${started.body.execution.id}/steps/pricing-finalization/run`);
    expect(ran.body.execution).toMatchObject({ stage: 'Negotiate', renewalDate: addDays(TODAY, 50), daysToRenewal: 50 });
    expect(ran.body.execution.stageChange).toMatchObject({ stage: 'Finalize', daysToRenewal: 50 });
  });
});
