// Reads under the CSM's field-level security (issue 21): with the CSM's profile losing Read on Opportunity.Amount and
// Contact.Email (their FieldPermissions rows deleted through jsforce), neither value reaches the plan view, the step
// analyses, the stored evidence, the portfolio or the model's request (the real openai SDK → the local
// OpenAI-compatible test server, which records it); the plan says what was withheld. Restoring the rows brings them
// back once the field access cache's lifetime has passed (a clock the test moves, never a sleep). Real PostgreSQL, the
// local Salesforce org emulator (not Salesforce) through jsforce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../dev/demo-seed/index.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import type { PlanningInput } from '../../service/src/plan/planner.ts';
import { stageById } from '../../service/src/stages/stages.ts';
import { renewalPosition } from '../../service/src/workflows/executions.ts';
import { startHarness, TODAY, type Harness } from '../../testkit/harness.ts';
import { startOpenAiTestServer, type OpenAiTestServer } from '../openai-server/server.ts';
import { modelPlan } from '../planner/scripted-plans.ts';

const { users, profilePermissionSets } = DEMO_IDS;
const ACME_AMOUNT = 265000;
/** Every spelling of the Acme amount a plan or a prompt could carry, and the increase it implies over the ARR (+6.9%). */
const AMOUNT_SPELLINGS = ['265000', '265,000', '265k', '6.9%'];
const HIDDEN = ['Opportunity.Amount', 'Contact.Email'];

describe("reads under the CSM's field-level security", () => {
  let h: Harness;
  let server: OpenAiTestServer;
  let executionId: string;
  let acmeEmails: string[];
  let bookAmounts: string[];
  const hiddenRows: { Field: string; SobjectType: string }[] = [];

  /** What the model is given for Jordan: the planning input from the context as Jordan may read it. */
  async function input(): Promise<PlanningInput> {
    const context = (await h.deps.salesforce.loadContextFor(users.jordanLee, h.discoveryId))!;
    const { daysToRenewal } = renewalPosition(context, TODAY, h.deps.stages);
    return { context, stage: stageById('Discovery', h.deps.stages), today: TODAY, daysToRenewal, calendar: h.deps.calendar, maxTasks: 12 };
  }
  const generate = async () => {
    server.script({ content: modelPlan(await input()) });
    const res = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    expect(res.status).toBe(201);
    return res.body.plan;
  };
  /** The texts the CSM or the model could see a hidden value in. */
  async function everything(planId: string) {
    const [stored] =
      await h.sql`SELECT context::text AS context, content::text AS content, generation::text AS generation, changes::text AS changes FROM action_plans WHERE id = ${planId}`;
    const [execution] = await h.sql`SELECT steps::text AS steps FROM workflow_executions WHERE id = ${executionId}`;
    return {
      modelRequest: JSON.stringify(server.requests.at(-1)!.messages),
      planView: (await h.api('GET', `/api/workflows/executions/${executionId}/action-plan`)).text,
      executionView: (await h.api('GET', `/api/workflows/executions/${executionId}`)).text,
      storedEvidence: JSON.stringify(stored) + execution!.steps,
      portfolio: (await h.api('GET', '/api/portfolio')).text,
    };
  }

  beforeAll(async () => {
    [h, server] = await Promise.all([startHarness(), startOpenAiTestServer()]);
    // Masking off: this test proves field-level security on its own (masking would hide the emails from the model anyway,
    // and the values Jordan may read must be seen to reach it).
    h.deps.planner = new LlmPlanner({
      apiKey: 'test-key',
      baseURL: server.url,
      model: 'test-model',
      timeoutMs: 10_000,
      maxRetries: 0,
      masking: false,
    });
    acmeEmails = h.org
      .records('Contact')
      .filter((c) => c.AccountId === DEMO_IDS.accounts.acme)
      .map((c) => String(c.Email));
    bookAmounts = h.org.records('Opportunity').map((o) => String(o.Amount));
    // Jordan's profile (Standard User) loses Read on the amount and on contacts' email addresses.
    const removed = await h.withholdFromStandardUser(['Opportunity.Amount', 'Contact.Email']);
    expect(removed.map((r) => r.Field).sort()).toEqual(['Contact.Email', 'Opportunity.Amount']);
    hiddenRows.push(...removed);
    const started = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    executionId = started.body.execution.id;
  });
  afterAll(async () => Promise.all([h?.close(), server?.close()]));

  it('keeps the hidden amount and emails out of the plan view, the steps, the stored evidence, the portfolio and the model request', async () => {
    const plan = await generate();
    expect(plan.planner).toBe('llm');
    const seen = await everything(plan.id);
    for (const [where, text] of Object.entries(seen)) {
      for (const spelling of AMOUNT_SPELLINGS) expect(text, `${spelling} in ${where}`).not.toContain(spelling);
      for (const email of acmeEmails) expect(text, `${email} in ${where}`).not.toContain(email);
    }
    for (const amount of bookAmounts) expect(seen.portfolio, `${amount} in the portfolio`).not.toContain(amount);
    // The values Jordan may read are still there (the ARR, the contacts' names): only the hidden fields left.
    expect(seen.modelRequest).toContain('248000');
    expect(seen.modelRequest).toContain('Sarah Chen');
  });

  it('says what was withheld: in the plan, its summary, the step analysis, the portfolio and the model request', async () => {
    const plan = (await h.api('GET', `/api/workflows/executions/${executionId}/action-plan`)).body.plan;
    expect(plan.withheld).toEqual([
      { field: 'Opportunity.Amount', label: 'Amount', message: 'Amount is not visible to you' },
      { field: 'Contact.Email', label: "Contacts' email addresses", message: "Contacts' email addresses is not visible to you" },
    ]);
    expect(plan.summary.keyMetrics).toContainEqual(
      expect.objectContaining({ label: 'Renewal target', value: 'Amount is not visible to you' }),
    );
    const execution = (await h.api('GET', `/api/workflows/executions/${executionId}`)).body.execution;
    const pricing = execution.steps.find((s: { id: string }) => s.id === 'pricing-strategy');
    expect(pricing.result.summary).toBe('Amount is not visible to you: pricing cannot be computed here');
    expect(pricing.result.output).toMatchObject({ proposedAmount: null, targetPrice: null, position: 'unknown' });
    expect(JSON.stringify(pricing.result)).not.toMatch(/NaN|\$0\b/);
    const book = (await h.api('GET', '/api/portfolio?sort=-amount')).body;
    expect(book.withheld).toEqual([{ field: 'Opportunity.Amount', label: 'Amount', message: 'Amount is not visible to you' }]);
    expect(book.rows.every((r: { amount: number | null }) => r.amount === null)).toBe(true);
    // A hidden amount does not order the book: the order is the renewal date's.
    expect(book.rows.map((r: { daysToRenewal: number }) => r.daysToRenewal)).toEqual(
      [...book.rows.map((r: { daysToRenewal: number }) => r.daysToRenewal)].sort((a, b) => a - b),
    );
    expect(
      server.requests
        .at(-1)!
        .messages.map((m) => m.content)
        .join('\n'),
    ).toContain('Amount: not visible to the CSM; do not estimate it');
  });

  it("brings the values back once the rows are restored and the cache's lifetime has passed", async () => {
    const conn = h.deps.salesforce.conn;
    for (const row of hiddenRows)
      await conn
        .sobject('FieldPermissions')
        .create({ ParentId: profilePermissionSets.standardUser, ...row, PermissionsRead: true, PermissionsEdit: true });
    // Within the lifetime the cached field access still applies.
    expect((await h.api('GET', '/api/portfolio')).body.withheld.map((w: { field: string }) => w.field)).toEqual(['Opportunity.Amount']);
    h.passFieldAccessCache();
    const book = (await h.api('GET', '/api/portfolio')).body;
    expect(book.withheld).toEqual([]);
    expect(book.rows.find((r: { opportunityId: string }) => r.opportunityId === h.discoveryId).amount).toBe(ACME_AMOUNT);
    const plan = await generate();
    expect(plan.withheld).toEqual([]);
    expect(plan.summary.keyMetrics).toContainEqual(expect.objectContaining({ label: 'Renewal target', value: '$265,000' }));
    const request = JSON.stringify(server.requests.at(-1)!.messages);
    expect(request).toContain(String(ACME_AMOUNT));
    expect(request).toContain(acmeEmails[0]);
    expect(request).not.toContain('not visible to the CSM');
    for (const field of HIDDEN) expect(JSON.stringify(plan)).not.toContain(`"field":"${field}"`);
  });
});
