import { generateWithFallback } from '../plan/generate.ts';
import { decodeJson } from '../plan/llm-schema.ts';
import { LlmPlanner, type LlmGeneration } from '../plan/llm-planner.ts';
import { generationDeadline } from '../plan/model-client.ts';
import type { Planner, PlanningInput } from '../plan/planner.ts';
import { gradePlan, GRADER_NAMES, type GradeResult } from './grade.ts';
import type { Judge, JudgeVerdict } from './judge.ts';
import type { Scenario } from './scenario.ts';
import { scenarioInput } from './scenario-input.ts';

/** One plan of one scenario: who wrote it, what it cost, and every grader's verdict. */
interface PlanRun {
  run: number;
  /** Who wrote the delivered plan: the model, or the playbook (its own run, or the model's fallback). */
  writtenBy: 'llm' | 'playbook';
  fallbackReason: string | null;
  /**
   * What the graders judged: the model's own last answer (mapped back from its placeholders, before validation fixed
   * or rejected it), or the delivered plan for the playbook. A model is judged by what it wrote, not by its fallback.
   */
  graded: 'model answer' | 'delivered plan';
  /** Fixes validation made to the delivered plan (a due date moved off a weekend...). */
  validationFixes: number;
  latencyMs: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  grades: GradeResult[];
  /** The optional LLM judge's verdict on the graded plan (`--judge`), or why it gave none. */
  judge?: JudgeVerdict | { error: string };
  /** Set when the run could not produce a plan at all (the playbook threw): every grader counts as failed. */
  error: string | null;
}

interface ScenarioResult {
  name: string;
  description: string;
  stage: string;
  daysToRenewal: number;
  runs: PlanRun[];
}

export interface EvalReport {
  version: 1;
  generatedAt: string;
  planner: 'playbook' | 'model';
  model: string | null;
  profile: string | null;
  repeat: number;
  graders: string[];
  scenarios: ScenarioResult[];
  totals: EvalTotals;
}

interface EvalTotals {
  plans: number;
  /** Plans every hard grader passed. */
  passedAll: number;
  /** Per grader: plans passed, failed, not graded, and the pass rate over the graded ones. */
  byGrader: { grader: string; passed: number; failed: number; skipped: number; rate: number }[];
  fallbacks: number;
  /** With --repeat: the share of plans passing every grader in each repetition, and its spread. */
  spread: { perRun: number[]; min: number; max: number };
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  /** With --judge: plans judged, passed by the judge, and the share where the judge and the hard graders agree. */
  judge?: { judged: number; passed: number; agreement: number };
}

interface EvalOptions {
  scenarios: Scenario[];
  planner: Planner;
  plannerKind: 'playbook' | 'model';
  model?: string | null;
  profile?: string | null;
  repeat: number;
  maxTasks: number;
  teamRoles: readonly string[];
  /** The generation deadline of each model plan (GENERATION_DEADLINE_SECONDS). */
  deadlineMs: number;
  holidayCountry?: string;
  /** The optional LLM judge (off by default). */
  judge?: Judge;
  /** When the report was made (the caller's clock). */
  generatedAt: string;
  /** Called with each scenario's planning input before it is planned (a test's stand-in model answers from it). */
  onInput?: (scenario: Scenario, input: PlanningInput) => void;
  /** Called after each plan (progress on the terminal). */
  onPlan?: (scenario: string, run: PlanRun) => void;
}

/**
 * Runs the planner over every scenario `repeat` times and grades each delivered plan: the plan the CSM would see, after
 * the service's validation and, for a model, its fallback to the playbook (the reason is kept beside the grades).
 * Scenarios run one after another: a model endpoint sees one request at a time, so latencies are comparable.
 */
export async function runEval(o: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const scenarios: ScenarioResult[] = [];
  for (const scenario of o.scenarios) {
    const input = await scenarioInput(scenario, { maxTasks: o.maxTasks, teamRoles: o.teamRoles, holidayCountry: o.holidayCountry });
    o.onInput?.(scenario, input);
    const runs: PlanRun[] = [];
    for (let run = 1; run <= o.repeat; run++) {
      const result = await planOnce(o.planner, input, scenario, run, o.deadlineMs, o.judge);
      runs.push(result);
      o.onPlan?.(scenario.name, result);
    }
    scenarios.push({
      name: scenario.name,
      description: scenario.description,
      stage: input.stage.id,
      daysToRenewal: input.daysToRenewal,
      runs,
    });
  }
  return {
    version: 1,
    generatedAt: o.generatedAt,
    planner: o.plannerKind,
    model: o.model ?? null,
    profile: o.profile ?? null,
    repeat: o.repeat,
    graders: GRADER_NAMES,
    scenarios,
    totals: totalsOf(scenarios, o.repeat, Math.round(performance.now() - started)),
  };
}

async function planOnce(
  planner: Planner,
  input: PlanningInput,
  scenario: Scenario,
  run: number,
  deadlineMs: number,
  judge?: Judge,
): Promise<PlanRun> {
  const started = performance.now();
  try {
    const signal = planner.name === 'llm' ? generationDeadline(deadlineMs) : undefined;
    const out = await generateWithFallback(planner, input, { signal });
    const llm = (out.planner === 'llm' ? out.generation : out.generation.llm) as LlmGeneration | null | undefined;
    const fallbackReason = (out.generation.fallbackReason as string | undefined) ?? null;
    const graded = planner instanceof LlmPlanner ? answerOf(planner, llm, input, fallbackReason) : { plan: out.content as unknown };
    return {
      run,
      writtenBy: out.planner,
      fallbackReason,
      graded: planner instanceof LlmPlanner ? 'model answer' : 'delivered plan',
      validationFixes: ((out.generation.validationFixes as unknown[] | undefined) ?? []).length,
      latencyMs: Math.round(performance.now() - started),
      calls: llm?.calls ?? 0,
      promptTokens: llm?.promptTokens ?? 0,
      completionTokens: llm?.completionTokens ?? 0,
      grades:
        'plan' in graded
          ? gradePlan(graded.plan, input, scenario.expect)
          : GRADER_NAMES.map((grader, i) =>
              i === 0 ? { grader, pass: false, reasons: [graded.error] } : { grader, pass: null, reasons: [] },
            ),
      ...(judge
        ? { judge: 'plan' in graded ? await judge(graded.plan, input, generationDeadline(deadlineMs)) : { error: graded.error } }
        : {}),
      error: null,
    };
  } catch (err) {
    return {
      run,
      writtenBy: 'playbook',
      fallbackReason: null,
      graded: 'delivered plan',
      validationFixes: 0,
      latencyMs: Math.round(performance.now() - started),
      calls: 0,
      promptTokens: 0,
      completionTokens: 0,
      grades: GRADER_NAMES.map((grader) => ({ grader, pass: false, reasons: [`no plan: ${(err as Error).message}`] })),
      error: (err as Error).message,
    };
  }
}

/** The model's last answer as the graders judge it: its recorded content decoded and mapped back from the placeholders. */
function answerOf(
  planner: LlmPlanner,
  llm: LlmGeneration | null | undefined,
  input: PlanningInput,
  fallbackReason: string | null,
): { plan: unknown } | { error: string } {
  const decoded = decodeJson(llm?.exchanges.at(-1)?.answer ?? null);
  if (!decoded.ok) return { error: llm?.exchanges.length ? decoded.error : `no answer (${fallbackReason ?? 'the model was not called'})` };
  const masking = planner.maskingFor(input);
  return { plan: masking ? masking.unmask(decoded.value) : decoded.value };
}

/** A plan passes when every grader passed (a grader not graded counts as failed: the schema already failed). */
export const passedAll = (r: PlanRun) => r.grades.every((g) => g.pass === true);

function totalsOf(scenarios: ScenarioResult[], repeat: number, durationMs: number): EvalTotals {
  const runs = scenarios.flatMap((s) => s.runs);
  const perRun = Array.from({ length: repeat }, (_, i) => {
    const nth = scenarios.map((s) => s.runs[i]).filter((r): r is PlanRun => Boolean(r));
    return nth.length ? nth.filter(passedAll).length / nth.length : 0;
  });
  return {
    plans: runs.length,
    passedAll: runs.filter(passedAll).length,
    byGrader: GRADER_NAMES.map((grader) => {
      const verdicts = runs.map((r) => r.grades.find((g) => g.grader === grader)?.pass ?? null);
      const passed = verdicts.filter((v) => v === true).length;
      const failed = verdicts.filter((v) => v === false).length;
      return { grader, passed, failed, skipped: verdicts.length - passed - failed, rate: passed + failed ? passed / (passed + failed) : 0 };
    }),
    fallbacks: runs.filter((r) => r.fallbackReason !== null).length,
    spread: { perRun, min: Math.min(...perRun), max: Math.max(...perRun) },
    ...judgeTotals(runs),
    promptTokens: runs.reduce((n, r) => n + r.promptTokens, 0),
    completionTokens: runs.reduce((n, r) => n + r.completionTokens, 0),
    durationMs,
  };
}

/** How the judge voted and how often it agrees with the hard graders (both pass, or both fail). */
function judgeTotals(runs: PlanRun[]): Pick<EvalTotals, 'judge'> {
  const judged = runs.filter((r) => r.judge && 'pass' in r.judge);
  if (!runs.some((r) => r.judge)) return {};
  const says = (r: PlanRun) => (r.judge as JudgeVerdict).pass;
  return {
    judge: {
      judged: judged.length,
      passed: judged.filter(says).length,
      agreement: judged.length ? judged.filter((r) => says(r) === passedAll(r)).length / judged.length : 0,
    },
  };
}
