import { playbookPlan } from '../../service/src/plan/playbook.ts';
import type { PlanningInput } from '../../service/src/plan/planner.ts';
import type { ActionPlanContent } from '../../service/src/plan/schema.ts';

/**
 * Plans the local OpenAI-compatible test server answers with, as a model would write them. The base is a plan that
 * passes validation (the playbook's, re-worded so a test can tell the model's plan from the fallback's).
 */
export function modelPlan(input: PlanningInput): ActionPlanContent {
  const plan = structuredClone(playbookPlan(input));
  plan.summary.keyDecisions = ['Model: secure the CFO before pricing, because Finance announced a 15% budget cut.'];
  return plan;
}

/** The same plan with one change made by `edit`. */
export function modelPlanWith(input: PlanningInput, edit: (plan: ActionPlanContent) => void): ActionPlanContent {
  const plan = modelPlan(input);
  edit(plan);
  return plan;
}
