import { describe, expect, it } from 'vitest';
import { planningInput } from './discovery.fixture.ts';
import { playbookPlan } from './playbook.ts';
import { AI_TASK_CHECKS, CSM_TASK_CHECKS, CSM_TASK_FIXES, PLAN_CHECKS, PLAN_FIXES, planFacts, type PlanFacts } from './validation-rules.ts';

/** Each validation rule alone, on the Discovery fixture's playbook plan (which passes every rule as written). */
const facts = (bend: (f: PlanFacts) => void = () => {}, trimOverCap = false): PlanFacts => {
  const input = planningInput();
  const f = planFacts(structuredClone(playbookPlan(input)), input, trimOverCap);
  bend(f);
  return f;
};
const check = (name: string) => PLAN_CHECKS.find((c) => c.name === name)!;
const aiCheck = (name: string) => AI_TASK_CHECKS.find((c) => c.name === name)!;
const csmCheck = (name: string) => CSM_TASK_CHECKS.find((c) => c.name === name)!;
const fix = (name: string) => PLAN_FIXES.find((x) => x.name === name)!;
const csmFix = (name: string) => CSM_TASK_FIXES.find((x) => x.name === name)!;
const updater = (f: PlanFacts) => f.plan.aiTasks.find((t) => t.processor === 'salesforce-contact-updater')!;

describe('validation rules', () => {
  it('the unbent plan passes every check and needs no fix', () => {
    const f = facts();
    expect(PLAN_CHECKS.flatMap((c) => c.errors(f))).toEqual([]);
    expect(PLAN_FIXES.flatMap((x) => x.apply(f))).toEqual([]);
  });

  it('processor-per-plan: no more tasks of a processor than it allows', () => {
    const f = facts((f) => f.plan.aiTasks.push({ ...updater(f), key: 'second-update' }));
    expect(check('processor-per-plan').errors(f)).toEqual(['aiTasks: 2 contact updates; a plan makes at most one']);
  });

  it('unique-key: across AI tasks, CSM tasks and sub-tasks', () => {
    const f = facts();
    const [a] = f.plan.aiTasks;
    expect(aiCheck('unique-key').errors(a!, 'ai', f)).toEqual([]);
    const t = { ...f.plan.csmTasks[0]!, key: a!.key, subTasks: [{ key: a!.key, action: 'x' }] };
    expect(csmCheck('unique-key').errors(t as any, 'csm', f)).toEqual([
      `csm: duplicate task key ${a!.key}`,
      `csm sub-task: duplicate task key ${a!.key}`,
    ]);
  });

  it('evidence-in-context: evidence names records of this context only', () => {
    const f = facts();
    const t = { ...f.plan.csmTasks[0]!, evidence: [{ type: 'activity', id: '00T999999999999AAA', field: null }] };
    expect(csmCheck('evidence-in-context').errors(t as any, 'csm', f)).toEqual([
      "csm: evidence activity 00T999999999999AAA is not in this opportunity's CRM context",
    ]);
  });

  it('processor-offered: registered, plannable and offered for this renewal; the later AI checks skip the others', () => {
    const f = facts();
    const t = { ...updater(f), processor: 'nope' };
    expect(aiCheck('processor-offered').errors(t as any, 'ai', f)[0]).toMatch(/^ai: processor "nope" is not one of /);
    expect(aiCheck('metadata-schema').errors(t as any, 'ai', f)).toEqual([]);
    f.offered = [];
    expect(aiCheck('processor-offered').errors(updater(f), 'ai', f)).toEqual([
      'ai: processor salesforce-contact-updater is not offered for this renewal (offered: none)',
    ]);
  });

  it('metadata-ids-known, metadata-schema, processor-grounding: the metadata of an AI task', () => {
    const f = facts();
    const t = updater(f);
    (t.metadata as any).newContact.salesforceId = '003000000000099AAA';
    expect(aiCheck('metadata-ids-known').errors(t, 'ai', f)).toEqual([
      "ai: metadata names 003000000000099AAA, which is not in this opportunity's CRM context or step outputs",
    ]);
    expect(aiCheck('processor-grounding').errors(t, 'ai', f).join()).toMatch(/has no contact role on this opportunity's account/);
    t.metadata = { newContact: 7 } as any;
    expect(aiCheck('metadata-schema').errors(t, 'ai', f).join()).toMatch(/ai: metadata\.newContact/);
    expect(aiCheck('processor-grounding').errors(t, 'ai', f)).toEqual([]);
  });

  it("contact-on-account: a CSM task's contact has a role on the account", () => {
    const f = facts();
    const t = { ...f.plan.csmTasks[0]!, contactId: '003000000000099AAA' };
    expect(csmCheck('contact-on-account').errors(t, 'csm', f)).toEqual([
      "csm: contact 003000000000099AAA has no contact role on this opportunity's account",
    ]);
  });

  it('dependencies: a task waits only for tasks of the plan', () => {
    const f = facts((f) => (f.plan.csmTasks[0]!.dependsOn = ['no-such-task']));
    expect(check('dependencies').errors(f).join()).toMatch(/no-such-task/);
  });

  it('task-cap: rejects over the cap unless trimming was asked for; trim-over-cap then drops the lowest priority', () => {
    const over = (f: PlanFacts) => (f.input = { ...f.input, maxTasks: 2 });
    expect(check('task-cap').errors(facts(over)).join()).toMatch(/tasks exceed the limit of 2/);
    const f = facts(over, true);
    expect(check('task-cap').errors(f)).toEqual([]);
    expect(fix('trim-over-cap').apply(f)[0]).toMatch(/exceed the limit of 2: dropped the lowest priority ones/);
    expect(f.plan.aiTasks.length + f.plan.csmTasks.length).toBe(2);
  });

  it('next-workflow-stage and next-workflow-date: the stage table decides the next stage and its date', () => {
    const wrongStage = facts((f) => (f.plan.nextWorkflow!.stage = 'Negotiate'));
    expect(check('next-workflow-stage').errors(wrongStage)).toEqual(['nextWorkflow: after Discovery comes Prepare, not Negotiate']);
    expect(fix('next-workflow-date').apply(wrongStage)).toEqual([]);
    const wrongDate = facts((f) => (f.plan.nextWorkflow!.triggerDate = '2027-01-04'));
    expect(fix('next-workflow-date').apply(wrongDate)).toEqual([
      "Next workflow date moved from 2027-01-04 to 2026-12-18 (the stage table's trigger)",
    ]);
    expect(wrongDate.plan.nextWorkflow!.triggerDate).toBe('2026-12-18');
  });

  it('complex-when-sub-tasks and due-date-in-window fix a CSM task in place', () => {
    const f = facts();
    const t = f.plan.csmTasks.find((x) => x.complexity !== 'complex')!;
    t.subTasks = [{ key: 'zz-1', action: 'A step' }];
    t.dueDate = '2026-11-28'; // a Saturday
    expect(csmFix('complex-when-sub-tasks').apply(t, f)).toHaveLength(1);
    expect(t.complexity).toBe('complex');
    expect(csmFix('due-date-in-window').apply(t, f).join()).toMatch(/to 2026-11-30 \(it fell on a weekend\)/);
  });

  it('due-after-prerequisites: a CSM task is not due before what it waits for (only over sound dependencies)', () => {
    const f = facts(({ plan }) => {
      plan.csmTasks[1]!.dependsOn = [plan.csmTasks[0]!.key];
      plan.csmTasks[0]!.dueDate = '2026-12-10';
      plan.csmTasks[1]!.dueDate = '2026-12-01';
    });
    expect(fix('due-after-prerequisites').apply(f).join()).toMatch(/due date moved from 2026-12-01 to 2026-12-10/);
    const cyclic = facts(({ plan }) => {
      plan.csmTasks[1]!.dependsOn = [plan.csmTasks[0]!.key];
      plan.csmTasks[0]!.dependsOn = [plan.csmTasks[1]!.key];
      plan.csmTasks[0]!.dueDate = '2026-12-10';
      plan.csmTasks[1]!.dueDate = '2026-12-01';
    });
    expect(fix('due-after-prerequisites').apply(cyclic)).toEqual([]);
  });

  it('timeline rules: steps of missing tasks go, dates stay in the stage, after prerequisites, in order', () => {
    const f = facts(({ plan }) => {
      plan.timeline[0]!.taskKeys = ['gone'];
      plan.timeline[1]!.date = '2026-01-01';
    });
    const title0 = f.plan.timeline[0]!.title;
    expect(fix('timeline-without-missing-tasks').apply(f)).toEqual([`Timeline "${title0}": removed, its tasks are not in the plan`]);
    expect(fix('timeline-in-window').apply(f).join()).toMatch(/to 2026-11-25 \(in the past\)/);
    const g = facts(({ plan }) => plan.timeline.reverse());
    expect(fix('timeline-order').apply(g)).toEqual(['Timeline steps re-ordered by date and renumbered']);
    expect(g.plan.timeline.map((s) => s.step)).toEqual(g.plan.timeline.map((_, i) => i + 1));
    expect(fix('timeline-after-prerequisites').apply(facts())).toEqual([]);
  });
});
