import { afterEach, describe, expect, it, vi } from 'vitest';
import { planningInput } from '../../service/src/plan/discovery.fixture.ts';
import { generateWithFallback } from '../../service/src/plan/generate.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import { generationDeadline, ModelEndpoint } from '../../service/src/plan/model-client.ts';
import { ProfileName } from '../../service/src/plan/model-profiles.ts';
import { grammarUnsupported } from '../openai-server/providers.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';
import { modelPlan } from './scripted-plans.ts';

/**
 * Gateways, grammar servers and streaming against the local OpenAI-compatible test server (not OpenAI, not llama.cpp),
 * through the real openai SDK.
 */
describe('reasoning models behind a gateway, and local grammar servers', () => {
  let server: OpenAiTestServer | undefined;
  afterEach(async () => server?.close());

  it('sends a gateway-hosted gpt-5-mini no temperature and max_completion_tokens', async () => {
    // The stand-in refuses what OpenAI refuses for reasoning models; it is reached on a host that is not api.openai.com.
    server = await startOpenAiTestServer({ provider: 'openai' });
    const input = planningInput();
    server.script({ content: modelPlan(input) });
    const planner = new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-5-mini', timeoutMs: 10_000, maxRetries: 0 });
    const out = await generateWithFallback(planner, input);
    expect(out.planner).toBe('llm');
    expect(out.generation).toMatchObject({ profile: 'openai-reasoning' });
    const body = server.requests[0]!.body;
    expect('temperature' in body).toBe(false);
    expect('max_tokens' in body).toBe(false);
    expect(body.max_completion_tokens).toBe(12_000);
  });

  it.each(ProfileName.options)('sends the %s profile a schema with no construct llama.cpp cannot compile', (profile) => {
    const planner = new LlmPlanner({ apiKey: 'k', model: 'm', profile, timeoutMs: 1000, maxRetries: 0 });
    const body = new ModelEndpoint({ apiKey: 'k', model: 'm', profile, timeoutMs: 1000, maxRetries: 0 }).body(
      planner.request(planningInput()),
    );
    const format = body.response_format as { type: string; json_schema?: { schema: unknown } };
    const system = String(body.messages[0]!.content);
    const schema =
      format.type === 'json_schema' ? format.json_schema!.schema : JSON.parse(system.slice(system.indexOf('JSON schema:\n') + 13));
    expect(JSON.stringify(schema)).toContain('"format":"date"');
    expect(grammarUnsupported(schema)).toBeUndefined();
    expect(JSON.stringify(schema)).not.toContain('\\\\d');
  });

  it('the stand-in check fails on the schema as declared (\\d in the date patterns), which is what the request rewrites', () => {
    const planner = new LlmPlanner({ apiKey: 'k', model: 'm', timeoutMs: 1000, maxRetries: 0 });
    expect(grammarUnsupported(planner.request(planningInput()).format.schema)).toMatch(/^unsupported escape: \\d at .*(dueDate|slotStart)/);
  });

  it('streams a grammar server’s answer into a plan, with its usage', async () => {
    server = await startOpenAiTestServer({ provider: 'llama.cpp' });
    const input = planningInput();
    server.script({ content: modelPlan(input) });
    const planner = new LlmPlanner({
      apiKey: 'none',
      baseURL: server.url,
      model: 'qwen3-8b-q4',
      profile: 'grammar',
      timeoutMs: 10_000,
      maxRetries: 0,
    });
    const out = await generateWithFallback(planner, input);
    expect(server.requests.map((r) => r.refused ?? 'accepted')).toEqual(['accepted']);
    expect(out.planner).toBe('llm');
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(out.generation.completionTokens).toBeGreaterThan(100);
  });

  it('cuts a stalled stream at the deadline and closes its connection, so the server stops generating', async () => {
    server = await startOpenAiTestServer({ provider: 'llama.cpp' });
    const input = planningInput();
    server.script({ streamStall: JSON.stringify(modelPlan(input)) });
    const planner = new LlmPlanner({
      apiKey: 'none',
      baseURL: server.url,
      model: 'qwen3-8b-q4',
      profile: 'grammar',
      timeoutMs: 600_000,
      maxRetries: 0,
    });
    // The stall never ends, so only the deadline can end the request, however long it takes to come.
    const out = await generateWithFallback(planner, input, { signal: generationDeadline(300) });
    expect(out.planner).toBe('playbook');
    expect(out.generation.llm).toMatchObject({ failureKind: 'deadline' });
    expect(out.plannerNote).toMatch(/did not answer within the 0\.3 s generation deadline/);
    // The close reaches the server after the client gave up; wait for it however long the machine takes.
    await vi.waitFor(() => expect(server!.requests[0]!.abandoned).toBe(true), { timeout: 20_000, interval: 20 });
  });
});
