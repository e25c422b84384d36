// `npm run eval:plans`: runs a planner over the evaluation scenarios and grades every plan (docs/evaluating-plans.md).
//   --planner playbook|model   the playbook (default) or the model of the environment (OPENAI_*, any profile)
//   --scenarios DIR            a folder of scenario files (default: service/src/eval/scenarios)
//   --repeat N                 plans per scenario (models are not deterministic: the report gives the spread)
//   --compare report.json      an earlier report: what this run improved and broke
//   --out DIR                  where eval-report.json and eval-report.html go (default: the current folder)
//   --judge                    also ask the model of the environment to judge each plan against a rubric (needs a key)
//   --judge-rubric FILE        the judge's rubric (default: service/src/eval/judge-rubric.md)
//   --strict                   exit 1 unless every plan passes every grader
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../service/src/config.ts';
import { compareReports, comparisonText } from '../service/src/eval/compare.ts';
import { reportHtml } from '../service/src/eval/report-html.ts';
import { reportText } from '../service/src/eval/report-text.ts';
import { runEval, type EvalReport } from '../service/src/eval/run.ts';
import { loadScenarios, SHIPPED_SCENARIOS } from '../service/src/eval/scenario.ts';
import { llmJudge } from '../service/src/eval/judge.ts';
import { endpointOptionsFromEnv, llmPlannerFromEnv } from '../service/src/plan/llm-planner.ts';
import { ModelEndpoint } from '../service/src/plan/model-client.ts';
import { PlaybookPlanner } from '../service/src/plan/playbook.ts';

const { values } = parseArgs({
  options: {
    planner: { type: 'string', default: 'playbook' },
    scenarios: { type: 'string', default: SHIPPED_SCENARIOS },
    repeat: { type: 'string', default: '1' },
    compare: { type: 'string' },
    out: { type: 'string', default: '.' },
    strict: { type: 'boolean', default: false },
    judge: { type: 'boolean', default: false },
    'judge-rubric': { type: 'string' },
  },
});
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const kind = values.planner === 'playbook' || values.planner === 'model' ? values.planner : fail('--planner is playbook or model');
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) fail('--repeat is a whole number from 1 to 20');

const { env } = loadConfigOrExit();
const llm = kind === 'model' ? llmPlannerFromEnv(env) : undefined;
if (kind === 'model' && !llm)
  fail('--planner model needs OPENAI_API_KEY (and OPENAI_MODEL, OPENAI_BASE_URL or OPENAI_PROFILE as for the service)');
const judgeOptions = values.judge ? endpointOptionsFromEnv(env) : undefined;
if (values.judge && !judgeOptions) fail('--judge needs OPENAI_API_KEY (the judge is the model of the environment)');
const earlier = values.compare ? (JSON.parse(readFileSync(values.compare, 'utf8')) as EvalReport) : undefined;

const report = await runEval({
  scenarios: loadScenarios(resolve(values.scenarios)),
  planner: llm ?? new PlaybookPlanner(),
  plannerKind: kind,
  model: llm?.model ?? null,
  profile: llm?.endpoint.profile.name ?? null,
  repeat,
  maxTasks: env.PLAN_MAX_TASKS,
  teamRoles: Object.keys(env.TEAM_ROLES),
  deadlineMs: env.GENERATION_DEADLINE_SECONDS * 1000,
  holidayCountry: env.HOLIDAY_COUNTRY,
  judge: judgeOptions && llmJudge(new ModelEndpoint(judgeOptions), values['judge-rubric']),
  generatedAt: new Date().toISOString(),
  onPlan: (scenario, run) => process.stderr.write(`${scenario} #${run.run}: ${run.writtenBy}, ${run.latencyMs} ms\n`),
});
const comparison = earlier && compareReports(earlier, report);
console.log(reportText(report));
if (comparison) console.log(`\n${comparisonText(comparison)}`);
writeFileSync(join(values.out, 'eval-report.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(values.out, 'eval-report.html'), reportHtml(report, comparison));
console.log(`\nWrote ${join(values.out, 'eval-report.json')} and ${join(values.out, 'eval-report.html')}`);
if (values.strict && report.totals.passedAll < report.totals.plans) process.exit(1);
