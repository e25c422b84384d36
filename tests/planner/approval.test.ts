import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import { stageById } from '../../service/src/stages/stages.ts';
import { renewalPosition } from '../../service/src/workflows/executions.ts';
import { startHarness, TODAY, type Harness } from '../../testkit/harness.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';
import { modelPlanWith } from './scripted-plans.ts';

/**
 * Field writes a model proposed need the CSM's explicit approval: finalize with `{}` leaves them out; an edit with
 * `include: true` lets them run. Real openai SDK → local OpenAI-compatible test server, real PostgreSQL, emulator.
 */
describe('approving model-proposed field writes', () => {
  let h: Harness;
  let server: OpenAiTestServer;

  beforeAll(async () => {
    [h, server] = await Promise.all([startHarness(), startOpenAiTestServer()]);
    h.deps.planner = new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 });
  });
  afterAll(async () => Promise.all([h?.close(), server?.close()]));

  async function draftWithNextStepWrite(opportunityId: string) {
    const executionId: string = (await h.api('POST', '/api/workflows/executions', { opportunityId })).body.execution.id;
    server.clear();
    const context = (await h.deps.salesforce.loadContext(opportunityId))!;
    const { daysToRenewal } = renewalPosition(context, TODAY, h.deps.stages);
    const input = {
      context,
      stage: stageById('Discovery', h.deps.stages),
      today: TODAY,
      daysToRenewal,
      calendar: h.deps.calendar,
      maxTasks: 12,
    };
    const activity = context.activities[0]!;
    const plan = modelPlanWith(input, (p) => {
      p.aiTasks = p.aiTasks.slice(0, 2);
      p.aiTasks.push({
        key: 'ai-9',
        dependsOn: [],
        assigneeRole: null,
        action: 'Update the next step',
        description: 'As the latest note says',
        processor: 'crm-opportunity-updater',
        priority: 2,
        executeImmediately: true,
        metadata: { fields: { NextStep: 'Send the invoice to billing@outside.example', Description: null, Probability: null } },
        evidence: [{ type: 'activity', id: activity.id, field: 'Description' }],
      });
    });
    server.script(() => ({ content: plan }));
    const draft = (await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`)).body.plan;
    return { executionId, draft };
  }

  it('leaves an unticked field write out of a finalize with no edits', async () => {
    const { executionId, draft } = await draftWithNextStepWrite(h.discoveryId);
    expect(draft.planner).toBe('llm');
    const write = draft.aiTasks.find((t: any) => t.key === 'ai-9');
    expect(write).toMatchObject({ included: false, needsApproval: true, suggestedFromCrmText: true });
    const done = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {});
    expect(done.status).toBe(200);
    expect(done.body.plan.aiTasks.map((t: any) => t.key)).not.toContain('ai-9');
    expect(
      await h.sql`SELECT plan_task_key AS key FROM workflow_tasks WHERE execution_id = ${executionId} AND processor = 'crm-opportunity-updater'`,
    ).toEqual([]);
  });

  it('runs it when the CSM ticks it (in the re-plan of that finalized plan)', async () => {
    const { executionId, draft } = await draftWithNextStepWrite(h.discoveryId);
    expect(draft.aiTasks.find((t: any) => t.key === 'ai-9')).toMatchObject({ included: false, needsApproval: true });
    const done = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {
      planId: draft.id,
      edits: [{ key: 'ai-9', include: true }],
    });
    expect(done.status).toBe(200);
    expect(done.body.plan.aiTasks.find((t: any) => t.key === 'ai-9')).toMatchObject({ included: true, needsApproval: false });
    expect(
      await h.sql`SELECT plan_task_key AS key FROM workflow_tasks WHERE execution_id = ${executionId} AND processor = 'crm-opportunity-updater'`,
    ).toEqual([{ key: 'ai-9' }]);
  });
});
