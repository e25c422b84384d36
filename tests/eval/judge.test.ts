import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmJudge } from '../../service/src/eval/judge.ts';
import { reportText } from '../../service/src/eval/report-text.ts';
import { runEval } from '../../service/src/eval/run.ts';
import { loadScenarios, type Scenario } from '../../service/src/eval/scenario.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import { ModelEndpoint } from '../../service/src/plan/model-client.ts';
import type { PlanningInput } from '../../service/src/plan/planner.ts';
import { planModel, type PlanMode } from '../openai-server/plan-modes.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';

const scenarios = loadScenarios().filter((s) => /^(0[1-5]|16|25)-/.test(s.name));

/**
 * The optional LLM-as-judge against the local OpenAI-compatible test server (not OpenAI). The stand-in judge here is
 * a lenient one that passes every plan: the report's agreement figure is what exposes it against the hard graders.
 */
describe('the LLM-as-judge', () => {
  let server: OpenAiTestServer;
  let current: { input: PlanningInput; expect: Scenario['expect'] };
  const endpoint = () => new ModelEndpoint({ apiKey: 'k', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 });
  const evaluate = (mode: PlanMode, verdict: object = { pass: true, score: 4, reasons: [] }) => {
    const plans = planModel(mode, () => current);
    server.respondWith((request) =>
      request.response_format?.json_schema?.name === 'verdict'
        ? { content: verdict }
        : (plans as (r: typeof request) => { content: string })(request),
    );
    return runEval({
      scenarios,
      planner: new LlmPlanner({ apiKey: 'k', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 }),
      plannerKind: 'model',
      repeat: 1,
      maxTasks: 12,
      teamRoles: ['Executive Sponsor', 'Solutions Engineer', 'Renewal Manager', 'CSM'],
      deadlineMs: 30_000,
      generatedAt: 'test',
      judge: llmJudge(endpoint()),
      onInput: (scenario, input) => (current = { input, expect: scenario.expect }),
    });
  };
  beforeAll(async () => {
    server = await startOpenAiTestServer({ provider: 'openai' });
  });
  afterAll(async () => server?.close());

  it('reports its verdicts and its agreement with the hard graders', async () => {
    const good = await evaluate('good');
    expect(good.totals.judge).toEqual({ judged: scenarios.length, passed: scenarios.length, agreement: 1 });
    const judged = server.requests.filter((r) => r.response_format?.json_schema?.name === 'verdict');
    expect(judged).toHaveLength(scenarios.length);
    expect(judged[0]!.messages[0]!.content).toMatch(/^You judge a renewal action plan/);
    expect(judged.map((r) => r.messages[1]!.content).join('\n')).toMatch(/<plan>[\s\S]*\[CONTACT_1\]/);
    expect(judged.map((r) => JSON.stringify(r.messages)).join('\n')).not.toMatch(/Aisha Bello|maria\.lopez@/);

    const figures = await evaluate('summary-figures');
    expect(figures.totals.judge).toEqual({ judged: scenarios.length, passed: scenarios.length, agreement: 0 });
    expect(reportText(figures)).toMatch(/LLM judge\s+100%\s+\(\d+ of \d+ judged plans pass; agrees with the hard graders on 0%\)/);
  });

  it('keeps why it gave no verdict', async () => {
    const report = await evaluate('good', { pass: 'yes' });
    expect(report.scenarios[0]!.runs[0]!.judge).toEqual({ error: expect.stringMatching(/does not fit its schema/) });
    expect(report.totals.judge).toMatchObject({ judged: 0 });
  });
});
