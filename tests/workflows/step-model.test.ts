import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepModelFromEnv } from '../../service/src/workflows/steps/model.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * A step analysed by a model through the real openai SDK, pointed at the local OpenAI-compatible test server
 * (not OpenAI): the model's answer is used when it fits the step's schema; otherwise the rules answer, with why.
 */
describe('a step analysed by the configured model', () => {
  let h: Harness;
  let server: OpenAiTestServer;
  let executionId: string;
  beforeAll(async () => {
    server = await startOpenAiTestServer();
    h = await startHarness();
    h.deps.stepModel = stepModelFromEnv({
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: server.url,
      OPENAI_MODEL: 'test-model',
      OPENAI_TIMEOUT_SECONDS: 5,
      OPENAI_MAX_RETRIES: 0,
    });
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    executionId = start.body.execution.id;
  });
  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  const recommendations = (res: any) => res.body.execution.steps.find((s: any) => s.id === 'recommendations').result;

  it("uses the model's answer when it fits the step's output schema", async () => {
    const answer = {
      recommendations: [
        {
          topic: 'economic-buyer',
          priority: 1,
          title: 'Meet the CFO before pricing',
          rationale: 'No finance contact',
          owner: 'CSM',
          sourceStep: 'stakeholder-mapping',
        },
      ],
    };
    expect((await h.api('POST', `/api/workflows/executions/${executionId}/steps/stakeholder-mapping/run`)).status).toBe(200);
    server.script({ content: answer });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/steps/recommendations/run`);
    expect(res.status).toBe(200);
    expect(recommendations(res)).toMatchObject({ analyzer: 'llm', fallbackReason: null, output: answer });
    const request = server.requests.at(-1)!;
    expect(request.model).toBe('test-model');
    expect(request.response_format?.json_schema?.strict).toBe(true);
    // The step's facts name the demo's contacts; what left for the model carries placeholders instead.
    expect(JSON.stringify(request.messages)).toMatch(/\[CONTACT_\d+\]/);
    expect(JSON.stringify(request.messages)).not.toMatch(/Sarah Chen|Eric Estrada|acmelogistics\.example/);
  });

  it('falls back to the rules when the answer cites a step that did not run, or an id the CRM context lacks', async () => {
    const cite = (sourceStep: string, title = 'Meet the CFO') => ({
      recommendations: [{ topic: 'economic-buyer', priority: 1, title, rationale: 'r', owner: 'CSM', sourceStep }],
    });
    server.script({ content: cite('legal-review') }, { content: cite('stakeholder-mapping', 'Call contact 0035e0000000999AAA today') });
    const first = recommendations(await h.api('POST', `/api/workflows/executions/${executionId}/steps/recommendations/run`));
    expect(first.analyzer).toBe('rules');
    expect(first.fallbackReason).toMatch(/sourceStep "legal-review" of "Meet the CFO" is not a step that ran before the recommendations/);
    const second = recommendations(await h.api('POST', `/api/workflows/executions/${executionId}/steps/recommendations/run`));
    expect(second.analyzer).toBe('rules');
    expect(second.fallbackReason).toMatch(/0035e0000000999AAA is not a record of this opportunity's CRM context/);
    // The plan generated from these steps is valid: the playbook cites only evidence that exists.
    const plan = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    expect(plan.status).toBe(201);
  });

  it('falls back to the rules, saying why, when the answer does not fit', async () => {
    server.script({ content: { recommendations: [{ topic: 'x', priority: 9 }] } });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/steps/recommendations/run`);
    expect(res.status).toBe(200);
    const result = recommendations(res);
    expect(result.analyzer).toBe('rules');
    expect(result.fallbackReason).toMatch(/^The model failed [\s\S]*; the rules answered$/);
    expect(result.output.recommendations.length).toBeGreaterThan(0);
    expect(server.pending()).toBe(0);
  });
});
