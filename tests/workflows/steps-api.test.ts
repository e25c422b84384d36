import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/** The Discovery workflow through the step API, on the real PostgreSQL and the org emulator (not Salesforce). */
describe('workflow steps API', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    const started = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    id = started.body.execution.id;
  });
  afterAll(async () => h?.close());
  const step = (execution: any, stepId: string) => execution.steps.find((s: any) => s.id === stepId);

  it('returns the execution with the six Discovery steps, waiting at the CSM assessment', async () => {
    const res = await h.api('GET', `/api/workflows/executions/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.execution.steps.map((s: any) => [s.id, s.status, s.needsInput])).toEqual([
      ['csm-assessment', 'pending', true],
      ['contract-analysis', 'pending', false],
      ['pricing-strategy', 'pending', false],
      ['stakeholder-mapping', 'pending', false],
      ['recommendations', 'pending', false],
      ['action-plan', 'pending', false],
    ]);
    expect(res.body.execution).toMatchObject({
      workflowName: 'Discovery Renewal',
      currentStepId: 'csm-assessment',
      stageChange: null,
      carriedOverTasks: [],
    });
  });

  it('answers 400 naming the field for invalid step input', async () => {
    const res = await h.api('POST', `/api/workflows/executions/${id}/steps/csm-assessment/input`, {
      input: { relationshipStrength: 12, confidence: 7, risks: [], notes: '' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: 'body.input.relationshipStrength', message: 'must be at most 10' }]);
    const missing = await h.api('POST', `/api/workflows/executions/${id}/steps/csm-assessment/input`, {
      input: { relationshipStrength: 8 },
    });
    expect(missing.body.error.issues.map((i: any) => i.path)).toEqual(['body.input.confidence', 'body.input.risks', 'body.input.notes']);
  });

  it('refuses input for a step that takes none, and an unknown step', async () => {
    const res = await h.api('POST', `/api/workflows/executions/${id}/steps/contract-analysis/input`, { input: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('body.input');
    const unknown = await h.api('POST', `/api/workflows/executions/${id}/steps/crystal-ball/run`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues[0].path).toBe('path.stepId');
  });

  it("runs a step's analysis on the CRM data: the contract terms from the package's fields", async () => {
    const res = await h.api('POST', `/api/workflows/executions/${id}/steps/contract-analysis/run`);
    expect(res.status).toBe(200);
    const s = step(res.body.execution, 'contract-analysis');
    expect(s.status).toBe('done');
    expect(s.result.output).toMatchObject({
      noticePeriodDays: 90,
      noticeDeadline: '2027-02-08',
      autoRenewal: false,
      priceIncreaseCapPct: 7,
    });
    expect(res.body.execution.currentStepId).toBe('csm-assessment');
  });

  it('generates the plan at any point: automatic steps run first, the waiting assessment is reported not done', async () => {
    const res = await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
    expect(res.status).toBe(201);
    const { completedSteps, keyMetrics } = res.body.plan.summary;
    expect(completedSteps.map((s: any) => [s.name, s.status])).toEqual([
      ['CSM Assessment', 'not_done'],
      ['Contract Analysis', 'done'],
      ['Pricing Strategy', 'done'],
      ['Stakeholder Mapping', 'done'],
      ['Recommendations', 'done'],
    ]);
    expect(completedSteps[0].output).toMatch(/Waiting for the CSM's input/);
    expect(keyMetrics).toContainEqual({ label: 'Pricing target', value: '$265,000', detail: '+6.9% (cap 7%)' });
    expect(keyMetrics).toContainEqual({ label: 'Notice deadline', value: '2027-02-08', detail: 'No auto-renewal' });
    const reminder = res.body.plan.aiTasks.find((t: any) => /notice deadline/.test(t.action));
    expect(reminder).toMatchObject({
      processor: 'follow-up-reminder-creator',
      evidence: [{ type: 'step', id: 'contract-analysis', field: 'noticeDeadline' }],
    });
    expect(res.body.plan.csmTasks.some((t: any) => t.evidence.some((e: any) => e.type === 'step'))).toBe(true);
    const execution = (await h.api('GET', `/api/workflows/executions/${id}`)).body.execution;
    expect(execution.steps.filter((s: any) => s.status === 'done').map((s: any) => s.id)).toEqual([
      'contract-analysis',
      'pricing-strategy',
      'stakeholder-mapping',
      'recommendations',
    ]);
  });

  it('takes the CSM assessment, refreshes the recommendations, and the next plan includes it', async () => {
    const res = await h.api('POST', `/api/workflows/executions/${id}/steps/csm-assessment/input`, {
      input: {
        relationshipStrength: 8,
        confidence: 7,
        risks: ['Budget cut of 15%', 'New decision maker'],
        notes: 'Eric is open to a WMS integration.',
      },
    });
    expect(res.status).toBe(200);
    expect(step(res.body.execution, 'csm-assessment')).toMatchObject({ status: 'done', input: { relationshipStrength: 8, confidence: 7 } });
    const recs = step(res.body.execution, 'recommendations').result.output.recommendations;
    expect(recs.map((r: any) => r.sourceStep)).toContain('csm-assessment');
    const plan = (await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`)).body.plan;
    expect(plan.summary.completedSteps[0]).toMatchObject({
      name: 'CSM Assessment',
      status: 'done',
      output: '8/10 relationship, 7/10 confidence; 2 risks noted',
    });
    expect(plan.summary.keyMetrics).toContainEqual({ label: 'CSM confidence', value: '7/10', detail: 'Relationship 8/10' });
  });

  it('skips a step with a reason (reported in the plan), and goes back to it', async () => {
    const skipped = await h.api('POST', `/api/workflows/executions/${id}/steps/pricing-strategy/skip`, {
      reason: 'Pricing is owned by the account executive',
    });
    expect(step(skipped.body.execution, 'pricing-strategy')).toMatchObject({
      status: 'skipped',
      skipReason: 'Pricing is owned by the account executive',
      result: null,
    });
    const noReason = await h.api('POST', `/api/workflows/executions/${id}/steps/pricing-strategy/skip`, { reason: '' });
    expect(noReason.body.error.issues[0].path).toBe('body.reason');
    const plan = (await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`)).body.plan;
    expect(plan.summary.completedSteps.find((s: any) => s.name === 'Pricing Strategy')).toMatchObject({
      status: 'not_done',
      output: 'Skipped: Pricing is owned by the account executive',
    });

    const back = await h.api('POST', `/api/workflows/executions/${id}/steps/csm-assessment/back`);
    expect(back.status).toBe(200);
    const steps = back.body.execution.steps.map((s: any) => [s.id, s.status]);
    expect(steps).toEqual([
      ['csm-assessment', 'pending'],
      ['contract-analysis', 'pending'],
      ['pricing-strategy', 'pending'],
      ['stakeholder-mapping', 'pending'],
      ['recommendations', 'pending'],
      ['action-plan', 'pending'],
    ]);
    expect(step(back.body.execution, 'csm-assessment').input).toMatchObject({ relationshipStrength: 8 });
    expect(back.body.execution.currentStepId).toBe('csm-assessment');
  });

  it('serves the JSON Schema of a step form', async () => {
    const res = await h.api('GET', `/api/workflows/executions/${id}/steps/csm-assessment/form`);
    expect(res.body.schema.properties.confidence).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
    expect(res.body.schema.required).toEqual(['relationshipStrength', 'confidence', 'risks', 'notes']);
  });

  it('refuses other users and step changes after finalize', async () => {
    const other = await h.api('POST', `/api/workflows/executions/${id}/steps/contract-analysis/run`, undefined, {
      user: h.users['Morgan Diaz'],
    });
    expect(other.status).toBe(403);
    await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
    expect((await h.api('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {})).status).toBe(200);
    const after = await h.api('POST', `/api/workflows/executions/${id}/steps/contract-analysis/run`);
    expect(after.status).toBe(409);
  });
});
