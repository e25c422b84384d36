import { describe, expect, it } from 'vitest';
import { needsApproval } from '../../service/src/plan/approval.ts';
import { describeChange, fieldChanges } from '../../service/src/plan/change-preview.ts';
import { planningInput } from '../../service/src/plan/discovery.fixture.ts';
import { llmPlanSchema } from '../../service/src/plan/llm-schema.ts';
import { offeredProcessors } from '../../service/src/plan/offered.ts';
import { playbookPlan } from '../../service/src/plan/playbook.ts';
import { processorCatalogLines } from '../../service/src/plan/prompt.ts';
import { validatePlan } from '../../service/src/plan/validate.ts';
import { pluginRegistry } from './registry.ts';

/** A Discovery-stage renewal whose stage allows the new processor, checked against the registry that has it. */
function withPlugin() {
  const base = planningInput();
  const input = {
    ...base,
    stage: { ...base.stage, processors: [...base.stage.processors, 'close-date-updater'] },
    processors: pluginRegistry,
  };
  const plan = playbookPlan(input);
  const task = {
    key: 'ai-9',
    dependsOn: [],
    assigneeRole: null,
    action: 'Align the close date with the renewal',
    description: 'The close date should be the renewal date.',
    executeImmediately: false,
    processor: 'close-date-updater',
    metadata: { closeDate: input.context.opportunity.renewalDate },
    priority: 2,
    evidence: [{ type: 'opportunity' as const, id: input.context.opportunity.id, field: 'CloseDate' }],
  };
  return { input, plan, task };
}

describe('a processor added by one folder and one registry line', () => {
  it('is validated: accepted when grounded, its schema and its grounding check applied', () => {
    const { input, plan, task } = withPlugin();
    expect(validatePlan({ ...plan, aiTasks: [...plan.aiTasks, task] }, input).errors).toEqual([]);
    const badSchema = validatePlan({ ...plan, aiTasks: [...plan.aiTasks, { ...task, metadata: { closeDate: 'soon' } }] }, input);
    expect(badSchema.errors.join()).toMatch(/aiTasks\.\d+ \(ai-9\): metadata\.closeDate/);
    const ungrounded = validatePlan({ ...plan, aiTasks: [...plan.aiTasks, { ...task, metadata: { closeDate: '2099-01-01' } }] }, input);
    expect(ungrounded.errors.join()).toMatch(/\(ai-9\): close date 2099-01-01 is after the renewal date/);
  });

  it("is unknown to the product's registry, so the same plan is rejected there", () => {
    const { input, plan, task } = withPlugin();
    const product = validatePlan({ ...plan, aiTasks: [...plan.aiTasks, task] }, { ...input, processors: undefined });
    expect(product.errors.join()).toMatch(/processor "close-date-updater" is not one of/);
  });

  it("is in the planners' catalog: offered, listed for the model, and a variant of the model's answer schema", () => {
    const { input } = withPlugin();
    expect(offeredProcessors(input)).toContain('close-date-updater');
    expect(processorCatalogLines(pluginRegistry)).toContain(
      '   - close-date-updater: Moves the opportunity close date (never past the renewal date)',
    );
    const schema = llmPlanSchema(pluginRegistry);
    const { task } = withPlugin();
    expect(schema.shape.aiTasks.element.safeParse(task).success).toBe(true);
    expect(llmPlanSchema().shape.aiTasks.element.safeParse(task).success).toBe(false);
  });

  it('reaches the approval gate: its change in words and field by field, and a model-proposed write waits for the CSM', () => {
    const { input, task } = withPlugin();
    const ctx = input.context;
    expect(describeChange(task, ctx, pluginRegistry)).toBe(
      `Opportunity "${ctx.opportunity.name}": CloseDate ${ctx.opportunity.closeDate} → ${ctx.opportunity.renewalDate}`,
    );
    expect(fieldChanges(task, ctx, pluginRegistry)).toEqual([
      {
        object: 'Opportunity',
        recordId: ctx.opportunity.id,
        recordName: ctx.opportunity.name,
        field: 'CloseDate',
        oldValue: ctx.opportunity.closeDate,
        newValue: ctx.opportunity.renewalDate,
      },
    ]);
    expect(needsApproval(task, 'llm', pluginRegistry)).toBe(true);
    expect(needsApproval(task, 'playbook', pluginRegistry)).toBe(false);
    expect(describeChange(task, ctx)).toBeNull();
  });
});
