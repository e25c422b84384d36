import { afterEach, describe, expect, it } from 'vitest';
import { loadStages } from '../../service/src/stages/stages.ts';
import { loadWorkflows } from '../../service/src/workflows/steps/workflows.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/** The stage and workflow tables come from the dependencies: a test (or the demo) pins them without touching config/. */
describe('pinned stage and workflow tables', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('starts a workflow from the pinned tables: their urgency, workflow name, steps and next stage', async () => {
    const stages = loadStages().map((s) => (s.id === 'Discovery' ? { ...s, urgency: 'high' as const } : s));
    for (const s of stages) if (s.nextStage?.id === 'Prepare') s.nextStage = { ...s.nextStage, name: 'Preparation' };
    const workflows = loadWorkflows().map((w) =>
      w.stage === 'Discovery' ? { ...w, name: 'Pinned Discovery', steps: w.steps.filter((s) => s.id !== 'pricing-strategy') } : w,
    );
    h = await startHarness({ stages, workflows });
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    expect(start.status).toBe(201);
    expect(start.body.execution).toMatchObject({ stage: 'Discovery', urgency: 'high', workflowName: 'Pinned Discovery' });
    expect(start.body.execution.steps.map((s: { id: string }) => s.id)).not.toContain('pricing-strategy');
    const draft = await h.api('POST', `/api/workflows/executions/${start.body.execution.id}/action-plan/generate`);
    expect(draft.body.plan.nextWorkflow).toMatchObject({ stage: 'Prepare', name: 'Preparation Renewal' });
  });

  it('loads config/stages.json and config/workflows.json when nothing is pinned', async () => {
    h = await startHarness();
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    expect(start.body.execution).toMatchObject({ stage: 'Discovery', urgency: 'low', workflowName: 'Discovery Renewal' });
    expect(start.body.execution.steps.map((s: { id: string }) => s.id)).toContain('pricing-strategy');
  });
});
