// Counts the tokens of the LLM planner's prompt for the demo Discovery opportunity (Acme Logistics), with the
// o200k_base tokenizer of current OpenAI models (js-tiktoken). Target: 2,500 tokens or fewer for the messages.
// Usage: npm run prompt:tokens   (exits 1 above the target)

import { randomBytes } from 'node:crypto';
import { getEncoding } from 'js-tiktoken';
import { BusinessCalendar } from '../service/src/calendar/business-days.ts';
import { planResponseFormat } from '../service/src/plan/llm-schema.ts';
import { buildPlanPrompt } from '../service/src/plan/prompt.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { SalesforceGateway } from '../service/src/salesforce/gateway.ts';
import { renewalPosition } from '../service/src/workflows/executions.ts';
import { DEMO_IDS, startOrgEmulator } from '../tests/org-emulator/index.ts';

const TARGET = 2_500;
const today = process.env.TODAY ?? '2026-11-25';

const accessToken = randomBytes(16).toString('hex');
const org = await startOrgEmulator({ accessToken, today: new Date(`${today}T12:00:00Z`) });
try {
  const conn = await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: org.url, accessToken });
  const context = (await new SalesforceGateway(conn, {}).loadContext(DEMO_IDS.opportunities.acme))!;
  const { daysToRenewal, stage } = renewalPosition(context, today);
  const prompt = buildPlanPrompt({ context, stage, today, daysToRenewal, calendar: new BusinessCalendar('US'), maxTasks: 12 });
  const enc = getEncoding('o200k_base');
  // Chat formatting adds about 3 tokens per message and 3 to prime the answer.
  const system = enc.encode(prompt.system).length;
  const user = enc.encode(prompt.user).length;
  const messages = system + user + 3 * 2 + 3;
  const schema = enc.encode(JSON.stringify(planResponseFormat().json_schema.schema)).length;
  console.log(`Prompt for "${context.opportunity.name}" (${stage.name}, ${daysToRenewal} days to renewal), o200k_base tokens:`);
  console.log(`  system (static, cacheable) ${system}`);
  console.log(`  user (this opportunity)    ${user}`);
  console.log(`  messages total             ${messages}   target <= ${TARGET}: ${messages <= TARGET ? 'met' : 'NOT met'}`);
  console.log(`  response schema (sent as response_format, counted by the provider separately) ${schema}`);
  process.exitCode = messages <= TARGET ? 0 : 1;
} finally {
  await org.close();
}
