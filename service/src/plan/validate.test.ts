import { describe, expect, it } from 'vitest';
import { planningInput } from './discovery.fixture.ts';
import { playbookPlan } from './playbook.ts';
import { validatePlan } from './validate.ts';

const base = () => {
  const input = planningInput();
  return { input, plan: playbookPlan(input) };
};

describe('validatePlan', () => {
  it("rejects a processor outside the stage's allow-list", () => {
    const { input, plan } = base();
    const monitor = { ...input, stage: { ...input.stage, processors: ['follow-up-reminder-creator' as const] } };
    expect(validatePlan(plan, monitor).errors.join()).toMatch(
      /processor salesforce-contact-updater is not offered for this renewal \(offered: follow-up-reminder-creator\)/,
    );
  });

  it('trims a carried-over plan over the task cap only when asked to, and rejects it otherwise', () => {
    const { input, plan } = base();
    const tight = { ...input, maxTasks: 2 };
    expect(validatePlan(plan, tight).errors.join()).toMatch(/tasks exceed the limit of 2/);
    const trimmed = validatePlan(plan, tight, { trimOverCap: true });
    expect(trimmed.errors).toEqual([]);
    expect(trimmed.content!.aiTasks.length + trimmed.content!.csmTasks.length).toBe(2);
  });

  it('rejects a processor outside the catalog', () => {
    const { input, plan } = base();
    plan.aiTasks[0]!.processor = '../../etc/passwd';
    expect(validatePlan(plan, input).errors.join()).toMatch(/processor "..\/..\/etc\/passwd" is not one of/);
  });

  it("rejects metadata that does not fit the processor's schema", () => {
    const { input, plan } = base();
    const reminder = plan.aiTasks.find((t) => t.processor === 'follow-up-reminder-creator')!;
    reminder.metadata = { daysUntilReminder: -3 };
    expect(validatePlan(plan, input).errors.join()).toMatch(/metadata\.daysUntilReminder/);
  });

  it("rejects a contact outside the opportunity's account", () => {
    const { input, plan } = base();
    const updater = plan.aiTasks.find((t) => t.processor === 'salesforce-contact-updater')!;
    (updater.metadata as any).newContact.salesforceId = '003000000000099AAA';
    expect(validatePlan(plan, input).errors.join()).toMatch(/has no contact role on this opportunity's account/);
  });

  it('rejects evidence that is not in the context', () => {
    const { input, plan } = base();
    plan.csmTasks[0]!.evidence = [{ type: 'activity', id: '00T999999999999AAA', field: null }];
    expect(validatePlan(plan, input).errors.join()).toMatch(/evidence activity 00T999999999999AAA/);
  });

  it('moves a weekend, past or late due date and says why', () => {
    const { input, plan } = base();
    plan.csmTasks[0]!.dueDate = '2026-11-28'; // Saturday
    plan.csmTasks[1]!.dueDate = '2026-01-05'; // past
    plan.csmTasks[2]!.dueDate = '2027-12-01'; // after the stage ends
    const r = validatePlan(plan, input);
    expect(r.errors).toEqual([]);
    expect(r.content!.csmTasks[0]!.dueDate).toBe('2026-11-30');
    expect(r.content!.csmTasks[1]!.dueDate).toBe('2026-11-25');
    expect(r.fixes.join('\n')).toMatch(/fell on a weekend[\s\S]*in the past[\s\S]*after the stage ends/);
  });

  it('promotes a task with sub-tasks to complex', () => {
    const { input, plan } = base();
    const simple = plan.csmTasks.find((t) => t.complexity !== 'complex')!;
    simple.subTasks = [{ key: 'zz-1', action: 'A step' }];
    const r = validatePlan(plan, input);
    expect(r.content!.csmTasks.find((t) => t.key === simple.key)!.complexity).toBe('complex');
  });

  it('rejects the wrong next stage and fixes the wrong trigger date', () => {
    const { input, plan } = base();
    plan.nextWorkflow!.triggerDate = '2027-01-04';
    const fixed = validatePlan(plan, input);
    expect(fixed.content!.nextWorkflow!.triggerDate).toBe('2026-12-18'); // the stage table's Prepare trigger
    expect(fixed.fixes).toContain("Next workflow date moved from 2027-01-04 to 2026-12-18 (the stage table's trigger)");
    plan.nextWorkflow!.stage = 'Negotiate';
    expect(validatePlan(plan, input).errors.join()).toMatch(/after Discovery comes Prepare, not Negotiate/);
  });

  it('rejects a plan that does not match the schema, naming the field', () => {
    const { input, plan } = base();
    (plan.csmTasks[0] as any).priority = 9;
    expect(validatePlan(plan, input).errors.join()).toMatch(/csmTasks\.0\.priority/);
  });

  it('rejects duplicate task keys', () => {
    const { input, plan } = base();
    plan.csmTasks[1]!.key = plan.csmTasks[0]!.key;
    expect(validatePlan(plan, input).errors.join()).toMatch(/duplicate task key/);
  });
});
