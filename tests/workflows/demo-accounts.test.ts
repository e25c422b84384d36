import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from '../../service/src/calendar/dates.ts';
import type { CrmContext } from '../../service/src/salesforce/context.ts';
import { renewalStageFor } from '../../service/src/stages/stages.ts';
import { stepLibrary } from '../../service/src/workflows/steps/library/index.ts';
import { analyzeStep } from '../../service/src/workflows/steps/run.ts';
import type { StepResult } from '../../service/src/workflows/steps/types.ts';
import { workflowFor } from '../../service/src/workflows/steps/workflows.ts';
import { startHarness, TODAY, type Harness } from '../../testkit/harness.ts';

/** Every automatic step's analysis on the four demo accounts, read from the org emulator (not Salesforce) through jsforce. */
describe('step analyses on the demo accounts', () => {
  let h: Harness;
  const contexts: Record<string, CrmContext> = {};
  beforeAll(async () => {
    h = await startHarness();
    for (const [name, id] of Object.entries(h.opportunities)) contexts[name.split(' ')[0]!] = (await h.deps.salesforce.loadContext(id))!;
  });
  afterAll(async () => h?.close());

  /** Runs a workflow's automatic steps in order, as generating the plan does. */
  function runWorkflow(account: string, stage?: string): Record<string, StepResult> {
    const crm = contexts[account]!;
    const days = daysBetween(TODAY, crm.opportunity.renewalDate);
    const s = renewalStageFor(days, h.deps.stages);
    const previous: Record<string, StepResult> = {};
    for (const step of workflowFor(stage ?? s.id, h.deps.workflows).steps) {
      const def = step.definition;
      if (def.input || def.type === 'planning') continue;
      previous[step.id] = analyzeStep(
        def,
        { crm, stage: s, today: TODAY, daysToRenewal: days, calendar: h.deps.calendar, previous: { ...previous }, openTasks: [] },
        null,
        h.deps.now(),
      );
    }
    return previous;
  }

  it('reads the contract terms from the package fields, and none for Globex', () => {
    expect(contexts.Acme!.contract).toEqual({
      noticePeriodDays: 90,
      autoRenewal: false,
      priceIncreaseCapPct: 7,
      terminationTerms: expect.stringMatching(/90 days' written notice/),
    });
    expect(contexts.Northwind!.contract).toMatchObject({ autoRenewal: true, noticePeriodDays: 60 });
    expect(contexts.Globex!.contract).toBeNull();
  });

  it('Acme (Discovery): the demo story', () => {
    const r = runWorkflow('Acme');
    expect(Object.keys(r)).toEqual(['contract-analysis', 'pricing-strategy', 'stakeholder-mapping', 'recommendations']);
    expect(r['contract-analysis']!.summary).toBe('No auto-renewal; notice 90 days (deadline 2027-02-08); cap 7%; 1 critical obstacle');
    expect(r['pricing-strategy']!.output).toMatchObject({
      targetPrice: 265000,
      targetIncreasePct: 6.9,
      usagePct: 82,
      budgetPressure: true,
      position: 'increase',
    });
    expect(r['stakeholder-mapping']!.output).toMatchObject({
      economicBuyer: { present: false },
      primaryChange: { from: 'Sarah Chen', to: 'Eric Estrada' },
    });
    expect(r['stakeholder-mapping']!.output.stakeholders).toHaveLength(3);
    const recs = r.recommendations!.output.recommendations as { topic: string; priority: number }[];
    expect(
      recs
        .slice(0, 2)
        .map((x) => x.topic)
        .sort(),
    ).toEqual(['economic-buyer', 'value-case']);
  });

  it('Northwind (Negotiate): the price is agreed in principle and within the cap', () => {
    const r = runWorkflow('Northwind');
    expect(r['pricing-finalization']!.output).toMatchObject({ increasePct: 5, withinCap: true, agreedInActivity: '00T5e0000000004EAA' });
    expect(r['contract-analysis']!.output).toMatchObject({ autoRenewal: true, noticePeriodDays: 60 });
  });

  it('Globex (Critical): escalation with no executive, no contract data', () => {
    const r = runWorkflow('Globex');
    expect(r['escalation-path']!.output).toMatchObject({
      daysToRenewal: 10,
      extensionNeeded: true,
      customerExecutives: [{ name: 'Tom Reyes' }],
    });
    expect(r['escalation-path']!.findings.some((f) => /No customer reply for 45 days/.test(f.text))).toBe(true);
  });

  it('Initech (Monitor): a healthy account', () => {
    const r = runWorkflow('Initech');
    expect(r['account-health']!.output).toMatchObject({ level: 'healthy', score: 70, daysSinceLastActivity: 30, contactRoles: 1 });
  });

  it.each(['Monitor', 'Discovery', 'Prepare', 'Engage', 'Negotiate', 'Finalize', 'Signature', 'Critical', 'Emergency', 'Overdue'])(
    'the %s workflow runs on every demo account with schema-valid results',
    (stage) => {
      for (const account of Object.keys(contexts)) {
        const results = runWorkflow(account, stage);
        for (const [id, result] of Object.entries(results)) expect(stepLibrary[id]!.output.safeParse(result.output).success).toBe(true);
      }
    },
  );
});
