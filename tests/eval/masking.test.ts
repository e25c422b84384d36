import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval } from '../../service/src/eval/run.ts';
import { loadScenarios, type Scenario } from '../../service/src/eval/scenario.ts';
import { scenarioInput } from '../../service/src/eval/scenario-input.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import type { PlanningInput } from '../../service/src/plan/planner.ts';
import { planModel } from '../openai-server/plan-modes.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';

const scenarios = loadScenarios();
const TEAM_ROLES = ['Executive Sponsor', 'Solutions Engineer', 'Renewal Manager', 'CSM'];

/** The contact emails, phone numbers and full names a scenario's seed holds. */
function personalValues(scenario: Scenario): string[] {
  const contacts = (scenario.seed.Contact ?? []) as { FirstName?: string; LastName?: string; Email?: string; Phone?: string }[];
  return contacts
    .flatMap((c) => [c.Email, c.Phone, c.FirstName && c.LastName ? `${c.FirstName} ${c.LastName}` : undefined])
    .filter((v): v is string => Boolean(v));
}

/**
 * The trust layer against the local OpenAI-compatible test server (not OpenAI): what leaves the service for the model,
 * captured on the wire, carries no contact's email, phone or full name from any scenario's seed, and the plans are as
 * valid as without masking.
 */
describe('masking what the model sees', () => {
  let server: OpenAiTestServer;
  let current: { input: PlanningInput; expect: Scenario['expect'] };
  beforeAll(async () => {
    server = await startOpenAiTestServer({ provider: 'openai' });
    server.respondWith(planModel('good', () => current));
  });
  afterAll(async () => server?.close());

  const run = async (masking: boolean) => {
    const bodies = new Map<string, string>();
    const report = await runEval({
      scenarios,
      planner: new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0, masking }),
      plannerKind: 'model',
      repeat: 1,
      maxTasks: 12,
      teamRoles: TEAM_ROLES,
      deadlineMs: 30_000,
      generatedAt: 'test',
      onInput: (scenario, input) => {
        current = { input, expect: scenario.expect };
        server.requests.length = 0;
      },
      onPlan: (scenario) => bodies.set(scenario, JSON.stringify(server.requests.map((r) => r.body))),
    });
    return { report, bodies };
  };

  it('sends no contact email, phone or full name of any seed, and plans as validly as without masking', async () => {
    const masked = await run(true);
    const plain = await run(false);
    let values = 0;
    for (const scenario of scenarios) {
      const body = masked.bodies.get(scenario.name)!;
      expect(body.length).toBeGreaterThan(1000);
      for (const value of personalValues(scenario)) {
        values++;
        expect(body.includes(value) || body.includes(JSON.stringify(value).slice(1, -1)), `${scenario.name}: ${value}`).toBe(false);
      }
    }
    expect(values).toBeGreaterThan(300);
    // The scan can fail: without masking the same requests carry the names and emails.
    expect(scenarios.filter((s) => personalValues(s).some((v) => plain.bodies.get(s.name)!.includes(v))).length).toBeGreaterThan(25);
    expect(masked.report.totals.passedAll).toBe(scenarios.length);
    expect(masked.report.totals.passedAll).toBe(plain.report.totals.passedAll);
    expect(masked.report.totals.fallbacks).toBe(plain.report.totals.fallbacks);
  });

  it('keeps the masked exchange and the kinds of values masked in the generation record, never the values', async () => {
    const scenario = scenarios.find((s) => s.name === '16-adverse-champion-left')!;
    const input = await scenarioInput(scenario, { maxTasks: 12, teamRoles: TEAM_ROLES });
    current = { input, expect: scenario.expect };
    const planner = new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 });
    const out = await planner.plan(input);
    const record = JSON.stringify(out.generation);
    for (const value of personalValues(scenario)) expect(record).not.toContain(value);
    expect(out.generation).toMatchObject({ masked: { '[CONTACT_1]': 'contact name', '[EMAIL_1]': 'email' } });
    const [exchange] = out.generation.exchanges as { request: string; answer: string }[];
    expect(exchange!.request).toContain('[CONTACT_2]');
    expect(exchange!.answer).toContain('[CONTACT_2]');
    // The answer was mapped back before validation: the plan names the new primary contact.
    expect(out.content.aiTasks.find((t) => t.processor === 'salesforce-contact-updater')!.action).toBe(
      'Update primary contact to Aisha Bello',
    );
  });
});
