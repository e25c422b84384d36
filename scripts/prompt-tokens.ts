// Counts the tokens of the exact request body /generate sends for the demo Discovery opportunity (Acme Logistics):
// the workflow's automatic steps are run first, as generate does, and the LLM planner builds its request under the
// configured provider profile. o200k_base tokenizer of current OpenAI models (js-tiktoken).
// Static prefix: the system message and the response schema, identical for every opportunity (provider prompt caches
// apply to it). Per opportunity: the user message. Target: per-opportunity tokens <= 1,500.
// Usage: npm run prompt:tokens   (exits 1 above the target; PROMPT_DUMP=1 also prints the user message)

import { randomBytes } from 'node:crypto';
import { getEncoding } from 'js-tiktoken';
import { BusinessCalendar } from '../service/src/calendar/business-days.ts';
import { loadConfig } from '../service/src/config.ts';
import { LlmPlanner } from '../service/src/plan/llm-planner.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { SalesforceGateway } from '../service/src/salesforce/gateway.ts';
import { loadStages } from '../service/src/stages/stages.ts';
import { renewalPosition } from '../service/src/workflows/executions.ts';
import { planningSteps } from '../service/src/workflows/steps/planning.ts';
import { stepOps } from '../service/src/workflows/steps/run.ts';
import { initialSteps } from '../service/src/workflows/steps/service.ts';
import { loadWorkflows, workflowFor } from '../service/src/workflows/steps/workflows.ts';
import { DEMO_IDS, startDemoOrg } from '../dev/demo-seed/index.ts';

const TARGET = 1_500;
const today = process.env.TODAY ?? '2026-11-25';
const { env } = loadConfig({ ...process.env, TODAY: today, OPENAI_API_KEY: 'not-sent' });

const accessToken = randomBytes(16).toString('hex');
const org = await startDemoOrg({ accessToken, today: new Date(`${today}T12:00:00Z`) });
try {
  const conn = await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: org.url, accessToken });
  const context = (await new SalesforceGateway(conn, {}).loadContext(DEMO_IDS.opportunities.acme))!;
  const stages = loadStages();
  const workflows = loadWorkflows();
  const { daysToRenewal, stage } = renewalPosition(context, today, stages);
  const calendar = new BusinessCalendar(env.HOLIDAY_COUNTRY ?? 'US', env.HOLIDAY_REGION);
  const steps = initialSteps(stage.id, workflows);
  stepOps.runAutomatic(
    steps,
    workflowFor(stage.id, workflows),
    { crm: context, stage, today, daysToRenewal, calendar, openTasks: [] },
    new Date(`${today}T12:00:00Z`),
  );
  const input = { context, stage, today, daysToRenewal, calendar, maxTasks: env.PLAN_MAX_TASKS, steps: planningSteps(steps) };
  const planner = new LlmPlanner({
    apiKey: 'not-sent',
    baseURL: env.OPENAI_BASE_URL,
    model: env.OPENAI_MODEL,
    profile: env.OPENAI_PROFILE,
    timeoutMs: 1000,
    maxRetries: 0,
    maxCompletionTokens: env.OPENAI_MAX_COMPLETION_TOKENS,
  });
  const body = planner.endpoint.body(planner.request(input));
  if (process.env.PROMPT_DUMP) console.log(body.messages[1]!.content);
  const enc = getEncoding('o200k_base');
  const count = (s: string) => enc.encode(s).length;
  const [system, user] = body.messages.map((m) => count(String(m.content)));
  const schema = body.response_format?.type === 'json_schema' ? count(JSON.stringify(body.response_format.json_schema.schema)) : 0;
  // Chat formatting adds about 3 tokens per message and 3 to prime the answer.
  const staticPrefix = system! + schema + 3;
  const perOpportunity = user! + 3 + 3;
  console.log(
    `Request body of /generate for "${context.opportunity.name}" (${stage.name}, ${daysToRenewal} days to renewal), model ${body.model}, profile ${planner.endpoint.profile.name}, o200k_base tokens:`,
  );
  console.log(`  system message          ${system}`);
  console.log(`  response schema         ${schema}`);
  console.log(`  static prefix           ${staticPrefix}   (identical for every opportunity: cacheable)`);
  console.log(`  user message            ${user}   (this opportunity, with ${input.steps.length} workflow steps)`);
  console.log(`  per-opportunity         ${perOpportunity}   target <= ${TARGET}: ${perOpportunity <= TARGET ? 'met' : 'NOT met'}`);
  console.log(`  whole request           ${staticPrefix + perOpportunity}`);
  process.exitCode = perOpportunity <= TARGET ? 0 : 1;
} finally {
  await org.close();
}
