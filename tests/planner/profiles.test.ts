import { afterEach, describe, expect, it } from 'vitest';
import { planningInput } from '../../service/src/plan/discovery.fixture.ts';
import { generateWithFallback } from '../../service/src/plan/generate.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import { profileFor, type ProfileName } from '../../service/src/plan/model-profiles.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';
import type { ProviderOptions } from '../openai-server/providers.ts';
import { modelPlan } from './scripted-plans.ts';

/**
 * The LLM planner under each provider profile, through the real openai SDK, against the local OpenAI-compatible test
 * server standing in for that provider (it refuses what the provider documents refusing, see providers.ts).
 */
describe('provider profiles', () => {
  let server: OpenAiTestServer | undefined;
  afterEach(async () => server?.close());

  const cases: {
    profile: ProfileName;
    provider: ProviderOptions;
    model: string;
    tokenLimit: string;
    temperature: boolean;
    format: string;
  }[] = [
    {
      profile: 'openai',
      provider: { provider: 'openai' },
      model: 'gpt-4o-mini',
      tokenLimit: 'max_completion_tokens',
      temperature: true,
      format: 'json_schema',
    },
    {
      profile: 'openai-reasoning',
      provider: { provider: 'openai' },
      model: 'gpt-5-mini',
      tokenLimit: 'max_completion_tokens',
      temperature: false,
      format: 'json_schema',
    },
    {
      profile: 'azure-v1',
      provider: { provider: 'azure-v1', reasoningModels: /.*/ },
      model: 'renewal-planner-deployment',
      tokenLimit: 'max_completion_tokens',
      temperature: false,
      format: 'json_schema',
    },
    {
      profile: 'compatible-json-schema',
      provider: { provider: 'vllm' },
      model: 'Qwen/Qwen3-8B',
      tokenLimit: 'max_tokens',
      temperature: true,
      format: 'json_schema',
    },
    {
      profile: 'compatible-json-object',
      provider: { provider: 'deepseek' },
      model: 'deepseek-chat',
      tokenLimit: 'max_tokens',
      temperature: true,
      format: 'json_object',
    },
    {
      profile: 'grammar',
      provider: { provider: 'llama.cpp' },
      model: 'qwen3-8b-q4',
      tokenLimit: 'max_tokens',
      temperature: true,
      format: 'json_schema',
    },
    {
      profile: 'grammar',
      provider: { provider: 'ollama' },
      model: 'llama3.1:8b',
      tokenLimit: 'max_tokens',
      temperature: true,
      format: 'json_schema',
    },
  ];

  it.each(cases)("$profile against $provider.provider: only accepted parameters, and the plan is the model's", async (c) => {
    server = await startOpenAiTestServer(c.provider);
    const input = planningInput();
    server.script({ content: modelPlan(input) });
    const planner = new LlmPlanner({
      apiKey: 'test-key',
      baseURL: server.url,
      model: c.model,
      profile: c.profile,
      timeoutMs: 10_000,
      maxRetries: 0,
    });
    const out = await generateWithFallback(planner, input);
    expect(server.requests.map((r) => r.refused ?? 'accepted')).toEqual(['accepted']);
    expect(out.planner).toBe('llm');
    expect(out.generation).toMatchObject({ profile: c.profile, model: c.model });
    const body = server.requests[0]!.body;
    expect(body[c.tokenLimit]).toBe(12_000);
    expect(Object.keys(body).filter((k) => k.startsWith('max_'))).toEqual([c.tokenLimit]);
    expect('temperature' in body).toBe(c.temperature);
    expect((body.response_format as { type: string }).type).toBe(c.format);
    if (c.format === 'json_object') expect(JSON.stringify(body.messages)).toMatch(/json[\s\S]*aiTasks/);
    if (c.profile === 'grammar') expect(JSON.stringify(body.response_format)).not.toContain('maxLength');
  });

  it("a reasoning model sent the default profile refuses temperature; the record keeps the provider's words", async () => {
    server = await startOpenAiTestServer({ provider: 'openai' });
    const input = planningInput();
    const planner = new LlmPlanner({
      apiKey: 'sk-test-abcdefghijklmnop',
      baseURL: server.url,
      model: 'o4-mini',
      profile: 'openai',
      timeoutMs: 10_000,
      maxRetries: 2,
    });
    const out = await generateWithFallback(planner, input);
    expect(out.planner).toBe('playbook');
    expect(server.requests).toHaveLength(1); // a 400 is not retried
    expect(out.plannerNote).toMatch(/HTTP 400: Unsupported value: 'temperature' does not support 0\.2 with this model/);
    expect((out.generation.llm as any).providerError).toMatchObject({ status: 400, param: 'temperature', code: 'unsupported_value' });
  });

  it('a grammar-based server refuses the schema with its length limits, which is why the grammar profile leaves them to validation', async () => {
    server = await startOpenAiTestServer({ provider: 'llama.cpp' });
    const planner = new LlmPlanner({
      apiKey: 'none',
      baseURL: server.url,
      model: 'qwen3-8b-q4',
      profile: 'compatible-json-schema',
      timeoutMs: 10_000,
      maxRetries: 0,
    });
    const out = await generateWithFallback(planner, planningInput());
    expect(out.planner).toBe('playbook');
    expect(server.requests[0]!.refused).toBe('Failed to initialize samplers: failed to parse grammar');
  });

  it('a JSON-mode provider refuses a json_schema response format', async () => {
    server = await startOpenAiTestServer({ provider: 'deepseek' });
    const planner = new LlmPlanner({
      apiKey: 'none',
      baseURL: server.url,
      model: 'deepseek-chat',
      profile: 'compatible-json-schema',
      timeoutMs: 10_000,
      maxRetries: 0,
    });
    const out = await generateWithFallback(planner, planningInput());
    expect(out.planner).toBe('playbook');
    expect(server.requests[0]!.refused).toBe('This response_format type is unavailable now');
  });

  it("keeps the token usage of an answer stopped by the provider's content filter", async () => {
    server = await startOpenAiTestServer({ provider: 'openai' });
    server.script({ content: '{"summary":{"completedSteps":[{"name":"', finishReason: 'content_filter' });
    const planner = new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 });
    const out = await generateWithFallback(planner, planningInput());
    expect(out.planner).toBe('playbook');
    expect(out.generation.llm).toMatchObject({ finishReason: 'content_filter', failureKind: 'content_filter', calls: 1 });
    expect((out.generation.llm as any).promptTokens).toBeGreaterThan(100);
    expect(out.plannerNote).toMatch(/stopped by the provider's content filter/);
  });

  it('keeps the token usage of an answer cut off at the length limit', async () => {
    server = await startOpenAiTestServer({ provider: 'openai' });
    server.script({ content: '{"summary":{"completedSteps":[' + '{"name":"x"},'.repeat(200), finishReason: 'length' });
    const planner = new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 });
    const out = await generateWithFallback(planner, planningInput());
    expect(out.planner).toBe('playbook');
    expect(out.generation.llm).toMatchObject({ finishReason: 'length', failureKind: 'length' });
    expect((out.generation.llm as any).completionTokens).toBeGreaterThan(500);
    expect(out.plannerNote).toMatch(/cut off at the length limit \(\d+ completion tokens\)/);
  });
});

describe('choosing a profile', () => {
  it.each([
    [{ model: 'gpt-4o-mini' }, 'openai'],
    [{ model: 'gpt-4.1' }, 'openai'],
    [{ model: 'gpt-5' }, 'openai-reasoning'],
    [{ model: 'gpt-5-mini' }, 'openai-reasoning'],
    [{ model: 'gpt-5-chat-latest' }, 'openai'],
    [{ model: 'o3' }, 'openai-reasoning'],
    [{ model: 'o4-mini' }, 'openai-reasoning'],
    [{ model: 'plans', baseURL: 'https://acme.openai.azure.com/openai/v1/' }, 'azure-v1'],
    [{ model: 'deepseek-chat', baseURL: 'https://api.deepseek.com' }, 'compatible-json-object'],
    [{ model: 'Qwen/Qwen3-8B', baseURL: 'http://vllm.internal:8000/v1' }, 'compatible-json-schema'],
    [{ model: 'deepseek-chat', baseURL: 'https://api.deepseek.com', profile: 'compatible-json-object' as const }, 'compatible-json-object'],
    [{ model: 'llama3.1', baseURL: 'http://localhost:11434/v1', profile: 'grammar' as const }, 'grammar'],
    // A reasoning model by its name on any host (a gateway forwards what OpenAI refuses for it), unless the profile is set.
    [{ model: 'gpt-5-mini', baseURL: 'https://llm-gateway.corp.example/v1' }, 'openai-reasoning'],
    [{ model: 'openai/o3-mini', baseURL: 'http://litellm:4000' }, 'openai-reasoning'],
    [{ model: 'gpt-5-chat-latest', baseURL: 'http://litellm:4000' }, 'compatible-json-schema'],
    [{ model: 'gpt-5-mini', baseURL: 'http://litellm:4000', profile: 'compatible-json-schema' as const }, 'compatible-json-schema'],
  ])('%o → %s', (o, expected) => {
    expect(profileFor(o).name).toBe(expected);
  });
});
