import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../calendar/business-days.ts';
import { addDays, daysBetween } from '../../../calendar/dates.ts';
import { discoveryContext, TODAY } from '../../../plan/discovery.fixture.ts';
import type { CrmContext } from '../../../salesforce/context.ts';
import { loadStages, renewalStageFor } from '../../../stages/stages.ts';
import { analyzeStep } from '../run.ts';
import type { OpenTask, StepContext, StepResult } from '../types.ts';
import { stepLibrary } from './index.ts';

const calendar = new BusinessCalendar('US');
const now = new Date('2026-11-25T12:00:00Z');

function stepContext(crm: CrmContext, previous: Record<string, StepResult> = {}, openTasks: OpenTask[] = []): StepContext {
  const days = daysBetween(TODAY, crm.opportunity.renewalDate);
  return { crm, stage: renewalStageFor(days, loadStages()), today: TODAY, daysToRenewal: days, calendar, previous, openTasks };
}
const withContract = (crm: CrmContext, contract: CrmContext['contract']): CrmContext => ({ ...crm, contract });
const run = (id: string, ctx: StepContext, input: unknown = null) => analyzeStep(stepLibrary[id]!, ctx, input, now);

const acmeContract = { noticePeriodDays: 90, autoRenewal: false, priceIncreaseCapPct: 7, terminationTerms: '90 days notice' };
const noRoles = (): CrmContext => ({ ...discoveryContext(), contactRoles: [] });
const overdue = (): CrmContext => {
  const c = discoveryContext();
  c.opportunity.renewalDate = addDays(TODAY, -5);
  return c;
};
const automatic = Object.values(stepLibrary).filter((s) => s.input === null && s.type !== 'planning');

describe('every automatic step', () => {
  const cases: [string, () => CrmContext][] = [
    ['no contract data', () => withContract(discoveryContext(), null)],
    ['no contact roles', noRoles],
    ['a renewal already overdue', overdue],
    [
      'an empty opportunity (no ARR, amount, roles, activities)',
      () => ({ ...noRoles(), activities: [], opportunity: { ...discoveryContext().opportunity, amount: null, currentArr: null } }),
    ],
  ];
  it.each(automatic.flatMap((s) => cases.map(([name, ctx]) => [s.id, name, ctx] as const)))(
    '%s produces a schema-valid result on %s',
    (id, _name, ctx) => {
      const result = run(id, stepContext(ctx()));
      expect(stepLibrary[id]!.output.safeParse(result.output).success).toBe(true);
      expect(result.summary.length).toBeGreaterThan(0);
    },
  );
});

describe('contract analysis', () => {
  it('computes the notice deadline on a business day and flags no auto-renewal as critical', () => {
    const r = run('contract-analysis', stepContext(withContract(discoveryContext(), acmeContract)));
    // 165 - 90 = 75 days ahead: 2027-02-08 is a Monday.
    expect(r.output).toMatchObject({
      hasContractData: true,
      noticePeriodDays: 90,
      noticeDeadline: '2027-02-08',
      daysToNoticeDeadline: 75,
      autoRenewal: false,
      priceIncreaseCapPct: 7,
      proposedIncreasePct: 6.9,
    });
    expect(r.findings.filter((f) => f.severity === 'critical').map((f) => f.text)).toEqual([expect.stringMatching(/No auto-renewal/)]);
    expect(r.findings.some((f) => /close to the 7% cap/.test(f.text))).toBe(true);
    expect(r.actions.map((a) => a.topic)).toContain('contract-deadline');
  });

  it('lists every term as missing and asks for them when there is no contract data', () => {
    const r = run('contract-analysis', stepContext(withContract(discoveryContext(), null)));
    expect(r.output).toMatchObject({
      hasContractData: false,
      noticeDeadline: null,
      missing: ['notice period', 'auto-renewal', 'price-increase cap', 'termination terms'],
    });
    expect(r.decision).toMatch(/Collect the contract terms/);
    expect(r.actions[0]).toMatchObject({ topic: 'contract-data' });
  });

  it('flags an increase above the cap as critical', () => {
    const r = run('contract-analysis', stepContext(withContract(discoveryContext(), { ...acmeContract, priceIncreaseCapPct: 3 })));
    expect(r.findings).toContainEqual({ severity: 'critical', text: expect.stringMatching(/exceeds the 3% cap/) });
    expect(r.actions.find((a) => a.topic === 'price-cap')?.priority).toBe(1);
  });

  it('says the deadline passed on an overdue renewal, and that an auto-renewing contract rolled over', () => {
    const ctx = withContract(overdue(), { ...acmeContract, autoRenewal: true });
    const r = run('contract-analysis', stepContext(ctx));
    expect(r.output.daysToNoticeDeadline as number).toBeLessThan(0);
    expect(r.findings[0]!.text).toMatch(/has passed: the contract renews automatically/);
    expect(r.actions.some((a) => a.topic === 'contract-deadline')).toBe(false);
  });
});

describe('pricing strategy', () => {
  it('targets the proposed amount when it is within the cap', () => {
    const r = run('pricing-strategy', stepContext(withContract(discoveryContext(), acmeContract)));
    expect(r.output).toMatchObject({
      currentArr: 248000,
      targetPrice: 265000,
      targetIncreasePct: 6.9,
      position: 'increase',
      budgetPressure: true,
    });
    expect(r.actions[0]).toMatchObject({ topic: 'value-case', priority: 1 });
  });

  it('caps the target at the contract cap', () => {
    const r = run('pricing-strategy', stepContext(withContract(discoveryContext(), { ...acmeContract, priceIncreaseCapPct: 3 })));
    expect(r.output).toMatchObject({ capPrice: 255440, targetPrice: 255440, targetIncreasePct: 3 });
  });

  it('defends the price when adoption is low', () => {
    const c = discoveryContext();
    c.activities.push({
      id: '00T000000000009AAA',
      kind: 'Event',
      subject: 'QBR',
      description: 'Only 35% of the licensed seats are active.',
      date: addDays(TODAY, -2),
      status: null,
      whoId: null,
      isClosed: true,
      actionPlanTaskId: null,
    });
    const r = run('pricing-strategy', stepContext(c));
    expect(r.output).toMatchObject({ usagePct: 35, position: 'defend', targetPrice: 248000 });
  });

  it('cannot price without the current ARR', () => {
    const c = discoveryContext();
    c.opportunity.currentArr = null;
    expect(run('pricing-strategy', stepContext(c)).output).toMatchObject({ position: 'unknown', targetPrice: null });
  });
});

describe('stakeholder mapping', () => {
  it('finds no economic buyer or champion on the demo-like account and the primary contact changing', () => {
    const r = run('stakeholder-mapping', stepContext(discoveryContext()));
    expect(r.output).toMatchObject({
      economicBuyer: { present: false },
      champion: { present: false },
      primaryChange: { from: 'Sarah Chen', to: 'Eric Estrada' },
      gaps: ['No economic buyer', 'No champion'],
    });
    expect(r.actions.map((a) => a.topic)).toEqual(['economic-buyer', 'primary-contact', 'champion']);
  });

  it('reports the missing contact roles', () => {
    const r = run('stakeholder-mapping', stepContext(noRoles()));
    expect(r.output).toMatchObject({ stakeholders: [], gaps: ['No contact roles on the opportunity', 'No economic buyer', 'No champion'] });
    expect(r.actions.map((a) => a.topic)).toEqual(['economic-buyer', 'stakeholders']);
  });
});

describe('csm assessment', () => {
  it('turns low scores into an at-risk outlook with a save plan', () => {
    const r = run('csm-assessment', stepContext(discoveryContext()), {
      relationshipStrength: 3,
      confidence: 5,
      risks: ['Budget cut'],
      notes: '',
    });
    expect(r.output.outlook).toBe('at-risk');
    expect(r.analyzer).toBe('csm');
    expect(r.actions[0]).toMatchObject({ topic: 'at-risk', priority: 1 });
  });
  it('rejects a score out of range, naming the field', () => {
    const parsed = stepLibrary['csm-assessment']!.input!.safeParse({ relationshipStrength: 11, confidence: 7, risks: [], notes: '' });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['relationshipStrength']);
  });
});

describe('recommendations', () => {
  it('keeps one action per topic, the most urgent first', () => {
    const ctx = stepContext(withContract(discoveryContext(), acmeContract));
    const previous = Object.fromEntries(['contract-analysis', 'pricing-strategy', 'stakeholder-mapping'].map((id) => [id, run(id, ctx)]));
    const r = run('recommendations', { ...ctx, previous });
    const list = r.output.recommendations as { topic: string; priority: number; sourceStep: string }[];
    expect(list.map((x) => x.priority)).toEqual([...list.map((x) => x.priority)].sort());
    expect(new Set(list.map((x) => x.topic)).size).toBe(list.length);
    expect(list[0]).toMatchObject({ topic: 'value-case', sourceStep: 'pricing-strategy' });
    expect(list.map((x) => x.topic)).toContain('economic-buyer');
  });
  it('falls back to the stage playbook when no step raised anything', () => {
    const r = run('recommendations', stepContext(discoveryContext()));
    expect(r.output.recommendations).toEqual([
      expect.objectContaining({ topic: 'playbook', title: expect.stringMatching(/Discovery playbook/) }),
    ]);
  });
});

describe('stage steps', () => {
  it('churn risk: an overdue renewal without auto-renewal is at risk of service loss', () => {
    const r = run('churn-risk', stepContext(withContract(overdue(), acmeContract)));
    expect(r.output).toMatchObject({ daysOverdue: 5, autoRenewed: false, serviceAtRisk: true });
    expect(r.actions.map((a) => a.topic)).toEqual(['recovery', 'extension']);
  });
  it('escalation path: no executives on the opportunity is critical, and an extension is prepared close to the date', () => {
    const c = noRoles();
    c.opportunity.renewalDate = addDays(TODAY, 10);
    const r = run('escalation-path', stepContext(withContract(c, acmeContract)));
    expect(r.output).toMatchObject({ customerExecutives: [], extensionNeeded: true });
    expect(r.findings.some((f) => /No customer executive/.test(f.text))).toBe(true);
  });
  it('open tasks review: carried-over tasks past due are flagged', () => {
    const open: OpenTask[] = [
      {
        id: 'a',
        action: 'Engage the CFO',
        owner: 'CSM',
        status: 'pending',
        dueDate: addDays(TODAY, -3),
        priority: 1,
        stage: 'Discovery',
        executionStatus: null,
      },
      {
        id: 'b',
        action: 'Reschedule the QBR',
        owner: 'CSM',
        status: 'pending',
        dueDate: addDays(TODAY, 3),
        priority: 2,
        stage: 'Discovery',
        executionStatus: null,
      },
    ];
    const r = run('open-tasks-review', stepContext(discoveryContext(), {}, open));
    expect(r.output).toMatchObject({ overdue: 1 });
    expect(r.summary).toBe('2 open tasks carried over, 1 overdue');
  });
  it('paperwork status: blockers make the signature at risk', () => {
    const r = run('paperwork-status', stepContext(discoveryContext()), {
      signerName: 'Dana Whitfield',
      paperworkStatus: 'in_procurement',
      blockers: ['Vendor security review'],
    });
    expect(r.output.onTrack).toBe(false);
    expect(r.decision).toMatch(/at risk/);
  });
});
