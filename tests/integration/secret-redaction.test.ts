import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmPlannerFromEnv } from '../../service/src/plan/llm-planner.ts';
import { stepModelFromEnv } from '../../service/src/workflows/steps/model.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * A provider's error text can quote a secret ("Incorrect API key provided: sk-..."). Issue 9, item 10: it never
 * reaches an API response or the database, whichever path stores or returns it: the step model's fallback, the plan's
 * generation record, an AI task's error, a mirror error, a Salesforce error answered by the API. Through the real
 * openai SDK against the local OpenAI-compatible test server (not OpenAI) and the local Salesforce org emulator.
 */
describe('secrets in provider errors', () => {
  let h: Harness;
  let server: OpenAiTestServer;
  const KEY = 'sk-RTCAq7ZrT1mPx9vLw3bYc5NdK8';
  const SECRET = 'RTCAq7ZrT1mPx9vLw3bYc5NdK8';
  const openAiEnv = () => ({
    OPENAI_API_KEY: 'the-configured-key',
    OPENAI_BASE_URL: server.url,
    OPENAI_MODEL: 'test-model',
    OPENAI_TIMEOUT_SECONDS: 5,
    OPENAI_MAX_RETRIES: 0,
  });
  const incorrectKey = {
    status: 401,
    message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  };

  beforeAll(async () => {
    server = await startOpenAiTestServer();
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  /** Every row of every table as text. */
  async function databaseText(): Promise<string> {
    const tables = await h.sql<
      { name: string }[]
    >`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    let text = '';
    for (const { name } of tables)
      text += (await h.sql<{ t: string | null }[]>`SELECT string_agg(t::text, '|') AS t FROM ${h.sql(name)} t`)[0]!.t ?? '';
    return text;
  }
  const expectNoSecret = async (...responses: { text: string }[]) => {
    for (const r of responses) expect(r.text).not.toContain(SECRET);
    expect(await databaseText()).not.toContain(SECRET);
    expect(h.logLines.join('\n')).not.toContain(SECRET);
  };

  it("the step model's 401 (stored as the step's fallback reason)", async () => {
    h.deps.stepModel = stepModelFromEnv(openAiEnv());
    try {
      const { id } = (await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution;
      server.script(incorrectKey);
      const res = await h.api('POST', `/api/workflows/executions/${id}/steps/recommendations/run`);
      expect(res.status).toBe(200);
      const step = res.body.execution.steps.find((s: any) => s.id === 'recommendations');
      expect(step.result).toMatchObject({
        analyzer: 'rules',
        fallbackReason: expect.stringMatching(/401: Incorrect API key provided: \[redacted\]/),
      });
      expect(server.pending()).toBe(0);
      await expectNoSecret(res, await h.api('GET', `/api/workflows/executions/${id}`));
    } finally {
      h.deps.stepModel = undefined;
    }
  });

  it("the LLM planner's failures (stored in the plan's note and generation record)", async () => {
    const planner = h.deps.planner;
    h.deps.planner = llmPlannerFromEnv(openAiEnv())!;
    try {
      const { id } = (
        await h.api('POST', '/api/workflows/executions', { opportunityId: h.opportunities['Northwind Health — FY27 Renewal'] })
      ).body.execution;
      server.script(incorrectKey);
      const first = await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
      expect(first.status).toBe(201);
      expect(first.body.plan).toMatchObject({ planner: 'playbook', generation: { fallbackReason: expect.stringMatching(/HTTP 401/) } });
      server.script({ refusal: `I cannot help; the key ${KEY} was revoked` });
      const second = await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
      expect(second.body.plan.plannerNote).toMatch(/the key \[redacted\] was revoked/);
      expect(second.body.plan.generation.fallbackReason).toMatch(/\[redacted\]/);
      await expectNoSecret(first, second, await h.api('GET', `/api/workflows/executions/${id}/action-plan`));
    } finally {
      h.deps.planner = planner;
    }
  });

  it("an AI task's error (last_error, execution_result, the notification, the execute response)", async () => {
    const { plan } = await h.finalizedPlan(h.opportunities['Globex Manufacturing — FY27 Renewal']);
    const ai =
      plan.aiTasks.find((t: any) => t.processor === 'salesforce-contact-updater' || t.processor === 'crm-opportunity-updater') ??
      plan.aiTasks[0];
    // A task that waits for a CSM task (the re-engagement reminder) can run once that task is done.
    for (const b of ai.blockedBy) {
      const prerequisite = plan.csmTasks.find((t: any) => t.key === b.key);
      expect((await h.api('PATCH', `/api/workflows/tasks/${prerequisite.taskId}`, { status: 'completed' })).status).toBe(200);
    }
    h.org.injectFault({
      count: 1,
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      status: 400,
      message: `rejected for session token=${SECRET} (${KEY})`,
      methods: ['PATCH', 'POST'],
    });
    const res = await h.api('POST', `/api/workflows/tasks/${ai.taskId}/execute`);
    expect(res.status).toBe(200);
    expect(res.body.outcome.error).toMatch(/\[redacted\]/);
    const [row] = await h.sql<{ lastError: string }[]>`SELECT last_error AS "lastError" FROM workflow_tasks WHERE id = ${ai.taskId}`;
    expect(row!.lastError).toMatch(/token=\[redacted\]/);
    await expectNoSecret(res, await h.api('GET', `/api/workflows/tasks/${ai.taskId}`), await h.api('GET', '/api/notifications'));
  });

  it('a mirror error, and a Salesforce error answered by the API', async () => {
    const { plan } = await h.finalizedPlan(h.opportunities['Initech Software — FY27 Renewal']);
    const task = plan.csmTasks[0];
    h.org.injectFault({
      count: 1,
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      mode: 'per-record',
      message: `Blocked: Bearer ${SECRET}xyz`,
      methods: ['PATCH'],
    });
    const patched = await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { status: 'in_progress' });
    expect(patched.status).toBe(200);
    const [row] = await h.sql<
      { mirrorError: string | null }[]
    >`SELECT mirror_error AS "mirrorError" FROM workflow_tasks WHERE id = ${task.taskId}`;
    expect(row!.mirrorError).toMatch(/Bearer \[redacted\]|\[redacted\]/);
    h.org.injectFault({ count: 20, errorCode: 'SERVER_UNAVAILABLE', message: `Maintenance; retry with ${KEY}`, methods: ['GET'] });
    const unavailable = await h.api('GET', `/api/workflows/tasks/${task.taskId}`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error.message).toMatch(/SERVER_UNAVAILABLE: Maintenance; retry with \[redacted\]/);
    await expectNoSecret(patched, unavailable, await h.api('GET', '/api/notifications'));
  });
});
