import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoveryContext, planningInput } from '../../service/src/plan/discovery.fixture.ts';
import { generateWithFallback } from '../../service/src/plan/generate.ts';
import { LlmPlanner, PlannerFailure } from '../../service/src/plan/llm-planner.ts';
import type { PlanningInput } from '../../service/src/plan/planner.ts';
import { playbookPlan } from '../../service/src/plan/playbook.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';
import { modelPlan, modelPlanWith } from './scripted-plans.ts';

/**
 * The LLM planner through the real openai SDK against the local OpenAI-compatible test server (not OpenAI).
 * Each case ends in a valid plan (the model's, possibly repaired, or the playbook's) and asserts which.
 */
describe('LLM planner against the local OpenAI-compatible test server', () => {
  let server: OpenAiTestServer;
  let input: PlanningInput;
  const planner = (o: { timeoutMs?: number; maxRetries?: number } = {}) =>
    new LlmPlanner({
      apiKey: 'test-key',
      baseURL: server.url,
      model: 'test-model',
      timeoutMs: o.timeoutMs ?? 10_000,
      maxRetries: o.maxRetries ?? 2,
    });
  const MODEL_DECISION = /^Model: /;

  beforeAll(async () => {
    server = await startOpenAiTestServer();
  });
  afterAll(async () => server?.close());
  beforeEach(() => {
    server.requests.length = 0;
    input = planningInput();
  });

  it('accepts a valid plan and records model, tokens, latency and calls', async () => {
    server.script({ content: modelPlan(input) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    expect(out.plannerNote).toBeNull();
    expect(out.content.summary.keyDecisions[0]).toMatch(MODEL_DECISION);
    expect(out.generation).toMatchObject({ planner: 'llm', model: 'test-model', calls: 1, rejections: [], validationFixes: [] });
    expect(out.generation.promptTokens).toBeGreaterThan(100);
    expect(out.generation.completionTokens).toBeGreaterThan(100);
    expect(typeof out.generation.latencyMs).toBe('number');
    const [req] = server.requests;
    expect(req!.headers.authorization).toBe('Bearer test-key');
    expect(req!.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'action_plan', strict: true } });
    expect(req!.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('sends invalid JSON back once with the error, and accepts the repaired plan', async () => {
    server.script({ content: '{"summary": {"completedSteps": [' }, { content: modelPlan(input) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    expect(out.generation).toMatchObject({ calls: 2 });
    expect((out.generation.rejections as any[])[0].errors[0]).toMatch(/not valid JSON/);
    const repair = server.requests[1]!.messages;
    expect(repair.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair[2]!.content).toBe('{"summary": {"completedSteps": [');
    expect(repair[3]!.content).toMatch(/rejected by validation[\s\S]*not valid JSON/);
  });

  it('falls back to the playbook when a schema violation comes back twice, and says why', async () => {
    const bad = modelPlanWith(input, (p) => {
      (p.csmTasks[0] as any).priority = 9;
      delete (p as any).timeline;
    });
    server.script({ content: bad }, { content: bad });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('playbook');
    expect(out.content).toEqual(playbookPlan(input));
    expect(out.plannerNote).toMatch(/failed validation twice \(.*csmTasks\.0\.priority/);
    expect(out.plannerNote).toMatch(/timeline/);
    const llm = out.generation.llm as any;
    expect(llm).toMatchObject({ planner: 'llm', calls: 2 });
    expect(llm.rejections).toHaveLength(2);
    expect(out.generation.fallbackReason).toMatch(/failed validation twice/);
    expect(server.requests[1]!.messages[3]!.content).toMatch(/csmTasks\.0\.priority/);
  });

  it('rejects an unknown processor and accepts the repair without it', async () => {
    const bad = modelPlanWith(input, (p) => {
      p.aiTasks[0]!.processor = 'shell-exec';
    });
    server.script({ content: bad }, { content: modelPlan(input) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    expect((out.generation.rejections as any[])[0].errors.join('\n')).toMatch(/processor "shell-exec" is not one of/);
  });

  it('rejects a contact from another account in a task and in a contact update', async () => {
    const foreign = '003000000000999AAA';
    const bad = modelPlanWith(input, (p) => {
      p.csmTasks[0]!.contactId = foreign;
      const updater = p.aiTasks.find((t) => t.processor === 'salesforce-contact-updater')!;
      (updater.metadata as any).newContact.salesforceId = foreign;
    });
    server.script({ content: bad }, { content: bad });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('playbook');
    const errors = (out.generation.llm as any).rejections[0].errors.join('\n');
    expect(errors).toMatch(/contact 003000000000999AAA has no contact role on this opportunity's account/);
    expect(errors).toMatch(/new contact 003000000000999AAA has no contact role/);
  });

  it('moves due dates in the past, on a Saturday and after the renewal, and records each fix', async () => {
    const plan = modelPlanWith(input, (p) => {
      p.csmTasks[0]!.dueDate = '2026-11-01'; // past
      p.csmTasks[1]!.dueDate = '2026-12-05'; // a Saturday
      p.csmTasks[2]!.dueDate = '2027-06-30'; // after the renewal
    });
    server.script({ content: plan });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    const [past, saturday, late] = out.content.csmTasks.map((t) => t.dueDate);
    expect(past).toBe('2026-11-25');
    expect(saturday).toBe('2026-12-07');
    expect(late! < input.context.opportunity.renewalDate).toBe(true);
    const fixes = (out.generation.validationFixes as string[]).join('\n');
    expect(fixes).toMatch(/from 2026-11-01 to 2026-11-25 \(it was in the past\)/);
    expect(fixes).toMatch(/from 2026-12-05 to 2026-12-07 \(it fell on a weekend\)/);
    expect(fixes).toMatch(/from 2027-06-30 to .* \(it fell after the stage ends/);
  });

  it('rejects evidence the model was not sent, and a task citing nothing', async () => {
    const bad = modelPlanWith(input, (p) => {
      p.csmTasks[0]!.evidence = [];
      p.aiTasks[0]!.evidence = [{ type: 'step', id: 'contract-analysis', field: null }];
    });
    server.script({ content: bad }, { content: modelPlan(input) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    const errors = (out.generation.rejections as any[])[0].errors.join('\n');
    expect(errors).toMatch(/evidence step contract-analysis is not in this opportunity's CRM context/);
  });

  it('accepts step evidence when the step was sent', async () => {
    const withSteps: PlanningInput = {
      ...input,
      steps: [
        { id: 'contract-analysis', name: 'Contract analysis', status: 'done', output: { autoRenew: false }, decision: 'Renew for 2 years' },
      ],
    };
    const plan = modelPlanWith(withSteps, (p) => {
      p.aiTasks[0]!.evidence.push({ type: 'step', id: 'contract-analysis', field: null });
    });
    server.script({ content: plan });
    const out = await generateWithFallback(planner(), withSteps);
    expect(out.planner).toBe('llm');
    expect(server.requests[0]!.messages[1]!.content).toContain('"decision":"Renew for 2 years"');
  });

  it('retries a 429 (the SDK, honouring Retry-After) and uses the answer', async () => {
    server.script({ status: 429, message: 'Rate limit reached' }, { content: modelPlan(input) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    expect(server.requests).toHaveLength(2);
    expect(out.generation).toMatchObject({ calls: 1 });
  });

  it('falls back after 500s exhaust the configured retries', async () => {
    server.script({ status: 500 }, { status: 500 }, { status: 500 });
    const out = await generateWithFallback(planner({ maxRetries: 2 }), input);
    expect(out.planner).toBe('playbook');
    expect(out.plannerNote).toMatch(/the model endpoint answered HTTP 500/);
    expect(server.requests).toHaveLength(3);
    expect(server.pending()).toBe(0);
  });

  it('falls back when the model does not answer within the timeout', async () => {
    server.script({ hang: true });
    const out = await generateWithFallback(planner({ timeoutMs: 300, maxRetries: 0 }), input);
    expect(out.planner).toBe('playbook');
    expect(out.plannerNote).toMatch(/did not answer within 0\.3 s/);
  });

  it('falls back when the model refuses, quoting the refusal', async () => {
    server.script({ refusal: "I can't help with that." });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('playbook');
    expect(out.plannerNote).toMatch(/declined to write the plan \("I can't help with that\."\)/);
  });

  it('falls back when the answer is cut off at the length limit', async () => {
    server.script({ content: '{"summary":', finishReason: 'length' });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('playbook');
    expect(out.plannerNote).toMatch(/cut off at the length limit/);
  });

  it('throws a PlannerFailure with the record of generation when used directly', async () => {
    server.script({ refusal: 'no' });
    const err = await planner()
      .plan(input)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlannerFailure);
    expect((err as PlannerFailure).generation).toMatchObject({ planner: 'llm', model: 'test-model', calls: 1 });
  });

  it('sends the same static system message for different opportunities (prompt caching)', async () => {
    const other = discoveryContext();
    other.opportunity.name = 'Other Co — renewal';
    server.script({ content: modelPlan(input) }, { content: modelPlan(planningInput(other)) });
    await planner().plan(input);
    await planner().plan(planningInput(other));
    const [a, b] = server.requests;
    expect(a!.messages[0]!.content).toBe(b!.messages[0]!.content);
    expect(a!.messages[1]!.content).not.toBe(b!.messages[1]!.content);
    expect(a!.messages[0]!.content).not.toContain('Acme');
  });
});

describe('adversarial plan answers are rejected (and repaired) or fixed, with the reason', () => {
  let server: OpenAiTestServer;
  let input: PlanningInput;
  beforeAll(async () => {
    server = await startOpenAiTestServer();
  });
  afterAll(async () => server?.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.clear();
    input = planningInput();
  });
  const planner = () => new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 });
  const tracker = (emailId: string, sentTo: string) => ({
    key: 'ai-8',
    dependsOn: [],
    assigneeRole: null,
    action: 'Track the quote email',
    description: 'Follow opens',
    processor: 'email-engagement-tracker',
    priority: 2,
    executeImmediately: true,
    metadata: { emailId, emailSubject: 'Quote', sentTo, trackOpens: true, trackClicks: true, notifyOnOpen: false },
    evidence: [{ type: 'opportunity' as const, id: '006000000000001AAA', field: null }],
  });

  it.each([
    [
      'a 500-task answer (not silently cut to the cap)',
      (p: any) => (p.csmTasks = Array.from({ length: 500 }, (_, i) => ({ ...p.csmTasks[0], key: `csm-x${i}`, subTasks: [] }))),
      /csmTasks: Too big: expected array to have <=50 items/,
    ],
    [
      'a 20-task answer (over the cap of 12)',
      (p: any) => (p.csmTasks = Array.from({ length: 20 }, (_, i) => ({ ...p.csmTasks[0], key: `csm-x${i}`, subTasks: [] }))),
      /plan: \d+ tasks exceed the limit of 12/,
    ],
    [
      'an email tracker on an invented email',
      (p: any) => p.aiTasks.push(tracker('msg-invented-1', 'e@acme.example')),
      /processor email-engagement-tracker is not offered for this renewal/,
    ],
    [
      'two contact updates',
      (p: any) =>
        p.aiTasks.push({ ...structuredClone(p.aiTasks.find((t: any) => t.processor === 'salesforce-contact-updater')), key: 'ai-9' }),
      /2 contact updates; a plan makes at most one/,
    ],
    [
      'a scheduler task beside nextWorkflow',
      (p: any) =>
        p.aiTasks.push({
          key: 'ai-9',
          action: 'Schedule',
          description: '',
          processor: 'workflow-scheduler',
          priority: 3,
          executeImmediately: true,
          metadata: { stage: 'Prepare', triggerDate: p.nextWorkflow.triggerDate, conditions: [] },
          evidence: [{ type: 'opportunity', id: '006000000000001AAA', field: null }],
        }),
      /finalizing the plan schedules its nextWorkflow/,
    ],
    [
      'an impossible calendar date',
      (p: any) => (p.csmTasks[0].dueDate = '2026-11-31'),
      /csmTasks\.0\.dueDate: must be a date like 2026-12-01/,
    ],
    [
      'an id in metadata the context lacks',
      (p: any) =>
        p.aiTasks.push({
          key: 'ai-9',
          action: 'Remind',
          description: '',
          processor: 'follow-up-reminder-creator',
          priority: 3,
          executeImmediately: false,
          metadata: { daysUntilReminder: 2, reminderMessage: 'Call 003000000000777AAA', reminderPriority: 2, relatedAction: 'x' },
          evidence: [{ type: 'opportunity', id: '006000000000001AAA', field: null }],
        }),
      /metadata names 003000000000777AAA, which is not in this opportunity's CRM context/,
    ],
  ])('%s', async (_name, edit, expected) => {
    server.script({ content: modelPlanWith(input, edit as never) }, { content: modelPlan(input) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    expect((out.generation.rejections as any[])[0].errors.join('\n')).toMatch(expected);
    expect(server.requests[1]!.messages.at(-1)!.content).toMatch(expected);
  });

  it('tracks an email only when it is a sent email of the context, to its recipient', async () => {
    const withEmail = planningInput();
    withEmail.context.activities.push({
      id: '00T000000000009EAA',
      kind: 'Task',
      subtype: 'Email',
      subject: 'Email: renewal quote',
      description: null,
      date: '2026-11-20',
      status: 'Completed',
      whoId: '003000000000002AAA',
      isClosed: true,
      actionPlanTaskId: null,
    });
    server.script(
      { content: modelPlanWith(withEmail, (p) => p.aiTasks.push(tracker('00T000000000009EAA', 's@acme.example'))) },
      { content: modelPlanWith(withEmail, (p) => p.aiTasks.push(tracker('00T000000000009EAA', 'e@acme.example'))) },
    );
    const out = await generateWithFallback(planner(), withEmail);
    expect(out.plannerNote).toBeNull();
    expect((out.generation.rejections as any[])[0].errors.join('\n')).toMatch(
      /email 00T000000000009EAA was sent to e@acme\.example, not s@acme\.example/,
    );
    expect(out.content.aiTasks.map((t) => t.processor)).toContain('email-engagement-tracker');
  });

  it("moves a timeline date past the stage to the next workflow's start, and says so", async () => {
    server.script({ content: modelPlanWith(input, (p) => (p.timeline[0]!.date = '2027-04-01')) });
    const out = await generateWithFallback(planner(), input);
    expect(out.planner).toBe('llm');
    expect((out.generation.validationFixes as string[]).join('\n')).toMatch(
      /date moved from 2027-04-01 to \d{4}-\d{2}-\d{2} \(after this stage\)/,
    );
    expect(out.content.timeline.every((s) => s.date <= out.content.nextWorkflow!.triggerDate)).toBe(true);
  });
});
