import { describe, expect, it } from 'vitest';
import { planningInput } from './discovery.fixture.ts';
import { playbookPlan } from './playbook.ts';
import { validatePlan } from './validate.ts';

const base = () => {
  const input = planningInput();
  return { input, plan: playbookPlan(input) };
};

describe('plan dependencies', () => {
  it('the playbook makes the CFO reminder wait for the CFO task, and that plan validates without fixes', () => {
    const { input, plan } = base();
    const cfo = plan.csmTasks.find((t) => t.action === 'Engage the economic buyer (CFO)')!;
    const reminder = plan.aiTasks.find((t) => t.action === 'Remind the CSM to follow up on the CFO meeting request')!;
    expect(reminder.dependsOn).toEqual([cfo.key]);
    expect(cfo.assigneeRole).toBe('Executive Sponsor');
    expect(validatePlan(plan, input)).toMatchObject({ errors: [], fixes: [] });
  });

  it('rejects a cycle, naming it', () => {
    const { input, plan } = base();
    const [a, b] = plan.csmTasks;
    a!.dependsOn = [b!.key];
    b!.dependsOn = [a!.key];
    expect(validatePlan(plan, input).errors).toContain(
      `dependsOn: the tasks wait for each other in a cycle: ${a!.key} → ${b!.key} → ${a!.key}`,
    );
  });

  it('rejects a longer cycle through an AI task', () => {
    const { input, plan } = base();
    const [a, b] = plan.csmTasks;
    const ai = plan.aiTasks[0]!;
    a!.dependsOn = [ai.key];
    ai.dependsOn = [b!.key];
    b!.dependsOn = [a!.key];
    expect(validatePlan(plan, input).errors.join('\n')).toMatch(
      new RegExp(`cycle: ${a!.key} → ${ai.key} → ${b!.key} → ${a!.key}|cycle: ${ai.key} → ${b!.key} → ${a!.key} → ${ai.key}`),
    );
  });

  it('rejects an unknown key, a sub-task key and a task waiting for itself', () => {
    const { input, plan } = base();
    const [a, b] = plan.csmTasks;
    const sub = plan.csmTasks.find((t) => t.subTasks.length)!.subTasks[0]!;
    a!.dependsOn = ['csm-99', sub.key];
    b!.dependsOn = [b!.key];
    const errors = validatePlan(plan, input).errors.join('\n');
    expect(errors).toMatch(`csmTasks.0 (${a!.key}): dependsOn names csm-99, which is not a task of this plan`);
    expect(errors).toMatch(`dependsOn names ${sub.key}, a sub-task`);
    expect(errors).toMatch(`csmTasks.1 (${b!.key}): dependsOn names the task itself`);
  });

  it('moves a task due before what it waits for to that date, and says so', () => {
    const { input, plan } = base();
    const sorted = [...plan.csmTasks].sort((x, y) => x.dueDate.localeCompare(y.dueDate));
    const early = sorted[0]!;
    const late = sorted.at(-1)!;
    expect(early.dueDate < late.dueDate).toBe(true);
    early.dependsOn = [late.key];
    const result = validatePlan(plan, input);
    expect(result.errors).toEqual([]);
    expect(result.content!.csmTasks.find((t) => t.key === early.key)!.dueDate).toBe(late.dueDate);
    expect(result.fixes.join('\n')).toContain(
      `${early.action}: due date moved from ${early.dueDate} to ${late.dueDate} (it waits for "${late.action}"`,
    );
  });

  it('orders the timeline by dependency: a step never comes before the step it waits for', () => {
    const { input, plan } = base();
    const sorted = [...plan.csmTasks].sort((x, y) => x.dueDate.localeCompare(y.dueDate));
    sorted[0]!.dependsOn = [sorted.at(-1)!.key];
    const timeline = validatePlan(plan, input).content!.timeline;
    const at = (key: string) => timeline.findIndex((s) => s.taskKeys.includes(key));
    expect(at(sorted[0]!.key)).toBeGreaterThan(at(sorted.at(-1)!.key));
  });

  it('reads a stored plan written before dependencies as waiting for nothing, owned by the owner', () => {
    const { input, plan } = base();
    const old = JSON.parse(JSON.stringify(plan)) as Record<string, { dependsOn?: unknown; assigneeRole?: unknown }[]>;
    for (const t of [...old.aiTasks!, ...old.csmTasks!]) {
      delete t.dependsOn;
      delete t.assigneeRole;
    }
    const content = validatePlan(old, input).content!;
    expect(content.csmTasks.every((t) => t.dependsOn.length === 0 && t.assigneeRole === null)).toBe(true);
  });
});
