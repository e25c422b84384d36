import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports, comparisonText } from '../../service/src/eval/compare.ts';
import { GRADER_NAMES } from '../../service/src/eval/grade.ts';
import { runEval, type EvalReport } from '../../service/src/eval/run.ts';
import { loadScenarios, type Scenario } from '../../service/src/eval/scenario.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import type { PlanningInput } from '../../service/src/plan/planner.ts';
import { planModel, type PlanMode } from '../openai-server/plan-modes.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';

const scenarios = loadScenarios();

/**
 * `npm run eval:plans --planner model` against the strict local OpenAI-compatible test server (not OpenAI), through
 * the real openai SDK: a good stand-in model passes every grader on every scenario; each adversarial mode fails the
 * grader it targets, with the reason, and no other; --compare shows what changed.
 */
describe('evaluating a model against the local test server', () => {
  let server: OpenAiTestServer;
  let current: { input: PlanningInput; expect: Scenario['expect'] };
  const reports = new Map<PlanMode, EvalReport>();

  const evaluate = async (mode: PlanMode, masking = true) => {
    server.respondWith(planModel(mode, () => current));
    const report = await runEval({
      scenarios,
      planner: new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0, masking }),
      plannerKind: 'model',
      model: 'gpt-4o-mini',
      repeat: 1,
      maxTasks: 12,
      teamRoles: ['Executive Sponsor', 'Solutions Engineer', 'Renewal Manager', 'CSM'],
      deadlineMs: 30_000,
      generatedAt: 'test',
      onInput: (scenario, input) => (current = { input, expect: scenario.expect }),
    });
    reports.set(mode, report);
    return report;
  };
  const failing = (report: EvalReport) =>
    [
      ...new Set(report.scenarios.flatMap((s) => s.runs.flatMap((r) => r.grades.filter((g) => g.pass === false).map((g) => g.grader)))),
    ].sort();

  beforeAll(async () => {
    server = await startOpenAiTestServer({ provider: 'openai' });
  });
  afterAll(async () => server?.close());

  it('passes every grader on every scenario with the good model, and every plan is the model’s', async () => {
    const report = await evaluate('good');
    expect(report.totals.plans).toBe(scenarios.length);
    expect(report.totals.passedAll).toBe(scenarios.length);
    expect(report.scenarios.every((s) => s.runs[0]!.writtenBy === 'llm' && s.runs[0]!.graded === 'model answer')).toBe(true);
    expect(report.totals.promptTokens).toBeGreaterThan(0);
    expect(server.requests.every((r) => !r.refused)).toBe(true);
  });

  const why: Record<string, RegExp> = {
    schema: /^timeline: /,
    dates: /is not a business day/,
    grounded: /00T5e0000009999EAA is not a record/,
    processors: /is not allowed in/,
    dependencies: /cycle|names the task itself|which it waits for/,
    assignees: /"Chief Wizard Officer" is no team role/,
    injection: /planted by an instruction in CRM free text/,
    expectations: /^no task (matches|cites)/,
    'summary-figures': /is not a figure of the CRM/,
  };
  for (const grader of GRADER_NAMES)
    it(`fails the ${grader} grader, and only it, when the model writes plans broken in its way`, async () => {
      const report = await evaluate(grader);
      expect(failing(report)).toEqual([grader]);
      const reasons = report.scenarios.flatMap((s) =>
        s.runs[0]!.grades.filter((g) => g.grader === grader && g.pass === false).flatMap((g) => g.reasons),
      );
      expect(reasons.length).toBeGreaterThan(0);
      for (const reason of reasons) expect(reason).toMatch(why[grader]!);
    });

  it('--compare lists what the adversarial run broke against the good run', () => {
    const comparison = compareReports(reports.get('good')!, reports.get('summary-figures')!);
    expect(comparison.broke.length).toBeGreaterThan(0);
    expect(comparison.broke.every((b) => b.grader === 'summary-figures')).toBe(true);
    expect(comparison.byGrader.find((g) => g.grader === 'summary-figures')).toMatchObject({ before: 1 });
    expect(comparison.byGrader.find((g) => g.grader === 'summary-figures')!.after).toBeLessThan(1);
    expect(comparisonText(comparison)).toMatch(
      /summary-figures\s+100% ->\s+\d+(\.\d)?% \(-[\d.]+%\)[\s\S]*Now failing:\n {2}01-stage-monitor \/ summary-figures: /,
    );
    expect(compareReports(reports.get('summary-figures')!, reports.get('good')!).fixed.length).toBe(comparison.broke.length);
  });
});
