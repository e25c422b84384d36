import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planningInput } from '../../service/src/plan/discovery.fixture.ts';
import { generateWithFallback } from '../../service/src/plan/generate.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import { generationDeadline } from '../../service/src/plan/model-client.ts';
import { ModelMasking } from '../../service/src/plan/masking.ts';
import { profileFor } from '../../service/src/plan/model-profiles.ts';
import { startAnthropicTestServer, type AnthropicTestServer } from '../anthropic-server/server.ts';
import { modelPlan } from './scripted-plans.ts';

/**
 * The anthropic profile through the official @anthropic-ai/sdk against the local Anthropic Messages API test server
 * (not Anthropic): the same validation, repair, deadline and fallback as the chat profiles.
 */
describe('the anthropic profile', () => {
  let server: AnthropicTestServer;
  beforeEach(async () => {
    server = await startAnthropicTestServer();
  });
  afterEach(async () => server?.close());
  const planner = (maxRetries = 0) =>
    new LlmPlanner({
      apiKey: 'sk-ant-test',
      baseURL: server.url,
      model: 'claude-sonnet-4-5',
      profile: 'anthropic',
      timeoutMs: 10_000,
      maxRetries,
    });
  const masked = (input = planningInput()) => JSON.parse(new ModelMasking(input.context).mask(JSON.stringify(modelPlan(input))));

  it('is chosen for api.anthropic.com', () =>
    expect(profileFor({ model: 'claude-sonnet-4-5', baseURL: 'https://api.anthropic.com' }).name).toBe('anthropic'));

  it('generates a valid plan through a forced tool, masked, with the headers and max_tokens the API requires', async () => {
    const input = planningInput();
    server.script({ toolInput: masked(input) });
    const out = await generateWithFallback(planner(), input);
    expect(server.requests.map((r) => r.refused ?? 'accepted')).toEqual(['accepted']);
    expect(out.planner).toBe('llm');
    expect(out.generation).toMatchObject({ profile: 'anthropic', model: 'claude-sonnet-4-5', calls: 1 });
    expect(out.generation.promptTokens).toBeGreaterThan(100);
    const { headers, body } = server.requests[0]!;
    expect(headers['anthropic-version']).toBeTruthy();
    expect(headers['x-api-key'] ?? headers.authorization).toMatch(/^(Bearer )?sk-ant-test$/);
    expect(body).toMatchObject({ max_tokens: 12_000, tool_choice: { type: 'tool', name: 'action_plan' }, temperature: 0.2 });
    expect((body.tools as { input_schema: { type: string } }[])[0]!.input_schema.type).toBe('object');
    expect(JSON.stringify(body)).not.toMatch(/Sarah Chen|s@acme\.example/);
    // The placeholders were mapped back before validation.
    expect(JSON.stringify(out.content)).toContain('Eric Estrada');
  });

  it('sends a rejected answer back once with its errors and accepts the repair', async () => {
    const input = planningInput();
    server.script({ text: 'Here is the plan: {"summary":' }, { toolInput: masked(input) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    expect(out.generation).toMatchObject({ calls: 2 });
    const repair = server.requests[1]!.body.messages as { role: string; content: string }[];
    expect(repair.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(repair[2]!.content).toMatch(/rejected by validation[\s\S]*not valid JSON/);
  });

  it('falls back to the playbook on 529 overloaded, with the reason and the provider’s error type', async () => {
    server.script({ status: 529 }, { status: 529 });
    const out = await generateWithFallback(planner(1), planningInput());
    expect(out.planner).toBe('playbook');
    expect(server.requests).toHaveLength(2); // the SDK retried once
    expect(out.plannerNote).toMatch(/overloaded \(HTTP 529\)/);
    expect(out.generation.llm).toMatchObject({
      failureKind: 'overloaded',
      providerError: { status: 529, code: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('retries a 429 after its retry-after and uses the answer', async () => {
    const input = planningInput();
    server.script({ status: 429, retryAfter: '1' }, { toolInput: masked(input) });
    const out = await generateWithFallback(planner(2), input);
    expect(out.planner).toBe('llm');
    expect(server.requests).toHaveLength(2);
  });

  it('ends a request that does not answer at the deadline and falls back', async () => {
    server.script({ hang: true });
    const out = await generateWithFallback(planner(), planningInput(), { signal: generationDeadline(300) });
    expect(out.planner).toBe('playbook');
    expect(out.generation.llm).toMatchObject({ failureKind: 'deadline' });
  });

  it('the stand-in refuses what the API refuses: no anthropic-version, no max_tokens', async () => {
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k', ...headers },
        body: JSON.stringify(body),
      });
    const noVersion = await post({}, { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
    const noMax = await post({ 'anthropic-version': '2023-06-01' }, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(((await noMax.json()) as { error: { message: string } }).error.message).toBe('max_tokens: Field required');
  });
});
