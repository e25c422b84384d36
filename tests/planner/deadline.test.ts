import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import { stepModelFromEnv } from '../../service/src/workflows/steps/model.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';

/**
 * One deadline for a whole generate: a model that stalls past it is abandoned (the request is aborted), the playbook
 * writes the plan with the reason, and the stalled call's late answer changes nothing. Real openai SDK, the local
 * OpenAI-compatible test server (not OpenAI), real PostgreSQL, the local Salesforce org emulator.
 */
describe('the generation deadline', () => {
  let h: Harness;
  let server: OpenAiTestServer;
  let executionId: string;

  beforeAll(async () => {
    [h, server] = await Promise.all([startHarness(), startOpenAiTestServer()]);
    // A small deadline; the per-attempt timeout and retries are far longer, so only the deadline can end the call.
    h.deps.env = { ...h.deps.env, GENERATION_DEADLINE_SECONDS: 0.5 };
    const model = {
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: server.url,
      OPENAI_MODEL: 'gpt-4o-mini',
      OPENAI_TIMEOUT_SECONDS: 60,
      OPENAI_MAX_RETRIES: 2,
    };
    h.deps.stepModel = stepModelFromEnv(model);
    h.deps.planner = new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 60_000, maxRetries: 2 });
    executionId = (await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution.id;
  });
  afterAll(async () => Promise.all([h?.close(), server?.close()]));

  it('returns the playbook plan with the reason when the model stalls, and the late answer writes nothing', async () => {
    let release!: () => void;
    let answered!: () => void;
    const stall = new Promise<void>((resolve) => (release = resolve));
    const lateAnswer = new Promise<void>((resolve) => (answered = resolve));
    // The recommendations step's model call stalls past the deadline; its answer would be a valid one.
    const valid = {
      recommendations: [
        { topic: 'late', priority: 1, title: 'A late recommendation', rationale: 'late', owner: 'CSM', sourceStep: 'pricing-strategy' },
      ],
    };
    server.script({ stall, reply: () => (answered(), { content: valid }) });

    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    expect(res.status).toBe(201);
    const plan = res.body.plan;
    expect(plan.planner).toBe('playbook');
    expect(plan.plannerNote).toMatch(/did not answer within the 0\.5 s generation deadline/);
    expect(plan.generation.fallbackReason).toMatch(/generation deadline/);
    // The plan request was never sent: the deadline had passed while the step waited.
    expect(server.requests).toHaveLength(1);
    const steps = (await h.api('GET', `/api/workflows/executions/${executionId}`)).body.execution.steps;
    const recommendations = steps.find((s: any) => s.id === 'recommendations').result;
    expect(recommendations).toMatchObject({ analyzer: 'rules' });
    expect(recommendations.fallbackReason).toMatch(/did not answer within the 0\.5 s generation deadline/);

    release();
    await lateAnswer;
    await h.api('GET', `/api/workflows/executions/${executionId}`); // one more round trip after the late answer
    const plans = await h.sql`SELECT id, planner FROM action_plans WHERE execution_id = ${executionId}`;
    expect(plans).toEqual([{ id: plan.id, planner: 'playbook' }]);
    const after = (await h.api('GET', `/api/workflows/executions/${executionId}`)).body.execution.steps;
    expect(after.find((s: any) => s.id === 'recommendations').result).toEqual(recommendations);
  });
});
