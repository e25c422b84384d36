import { describe, expect, it } from 'vitest';
import { addDays } from '../calendar/dates.ts';
import { contextReadableBy } from '../salesforce/withheld.ts';
import { STAGE_IDS } from '../stages/stages.ts';
import { discoveryContext, planningInput, TODAY } from './discovery.fixture.ts';
import { playbookPlan } from './playbook.ts';
import { validatePlan } from './validate.ts';

describe('playbook planner', () => {
  it('plans without a field the CSM cannot read and says so, with nothing made up in its place', () => {
    const ctx = contextReadableBy(discoveryContext(), { canRead: (field) => field !== 'Opportunity.Amount' });
    const plan = playbookPlan(planningInput(ctx));
    expect(plan.summary.keyMetrics.find((m) => m.label === 'Renewal target')).toEqual({
      label: 'Renewal target',
      value: 'Amount is not visible to you',
      detail: null,
    });
    expect(plan.summary.keyMetrics.find((m) => m.label === 'Current ARR')?.value).toBe('$248,000');
    expect(JSON.stringify(plan)).not.toMatch(/265,?000|6\.9%|NaN|\$0\b/);
    expect(validatePlan(plan, planningInput(ctx)).errors).toEqual([]);
  });

  it('plans the Discovery story from the CRM signals', () => {
    const plan = playbookPlan(planningInput());
    const contact = plan.aiTasks.find((t) => t.processor === 'salesforce-contact-updater');
    expect(contact?.metadata).toEqual({
      oldContact: { name: 'Sarah Chen', salesforceId: '003000000000001AAA' },
      newContact: { name: 'Eric Estrada', salesforceId: '003000000000002AAA' },
      updateLocalRecord: true,
    });
    const cfo = plan.csmTasks.find((t) => /economic buyer/i.test(t.action));
    expect(cfo?.complexity).toBe('complex');
    expect(cfo?.subTasks).toHaveLength(4);
    // The CFO meeting is booked in the calendar; the other signals' work is plain tasks.
    expect(cfo?.kind).toBe('meeting');
    expect(plan.csmTasks.find((t) => /budget pressure/i.test(t.action))?.kind).toBe('task');
    expect(plan.csmTasks.some((t) => /budget pressure/i.test(t.action))).toBe(true);
    expect(plan.csmTasks.some((t) => /overdue activity: Send usage report/i.test(t.action))).toBe(true);
    expect(plan.nextWorkflow).toMatchObject({ stage: 'Prepare' });
    expect(plan.summary.keyMetrics.find((m) => m.label === 'Renewal target')?.detail).toBe('+6.9% vs current ARR');
    expect(new Set(plan.timeline.map((s) => s.owner))).toEqual(new Set(['AI', 'CSM', 'Customer']));
  });

  it('writes plans that pass validation without fixes, for every stage', () => {
    const covered: string[] = [];
    for (const days of [220, 165, 130, 100, 75, 45, 20, 10, 3, -5]) {
      const ctx = discoveryContext();
      ctx.opportunity.renewalDate = addDays(TODAY, days);
      const input = planningInput(ctx);
      covered.push(input.stage.id);
      const result = validatePlan(playbookPlan(input), input);
      expect(result.errors, `${days} days`).toEqual([]);
      expect(result.fixes, `${days} days`).toEqual([]);
    }
    expect(covered).toEqual([...STAGE_IDS]);
  });

  it('is deterministic', () => {
    expect(playbookPlan(planningInput())).toEqual(playbookPlan(planningInput()));
  });

  it('re-engages a quiet account with no contact roles and no activity', () => {
    const ctx = discoveryContext();
    ctx.contactRoles = [];
    ctx.activities = [];
    ctx.opportunity.primaryContactId = null;
    const input = planningInput(ctx);
    const plan = playbookPlan(input);
    expect(plan.csmTasks.some((t) => /re-engage/i.test(t.action))).toBe(true);
    expect(plan.aiTasks.some((t) => t.processor === 'salesforce-contact-updater')).toBe(false);
    expect(validatePlan(plan, input).errors).toEqual([]);
  });

  it('keeps to the task cap by dropping the lowest priorities', () => {
    const input = planningInput(discoveryContext(), TODAY, 3);
    const plan = playbookPlan(input);
    expect(plan.aiTasks.length + plan.csmTasks.length).toBe(3);
    expect([...plan.aiTasks, ...plan.csmTasks].every((t) => t.priority === 1)).toBe(true);
  });
});
