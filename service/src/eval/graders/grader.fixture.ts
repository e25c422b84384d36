import { planningInput } from '../../plan/discovery.fixture.ts';
import { playbookPlan } from '../../plan/playbook.ts';
import type { ActionPlanContent } from '../../plan/schema.ts';
import { validatePlan } from '../../plan/validate.ts';
import { ScenarioExpectations } from '../scenario.ts';
import type { GradeSubject } from './grader.ts';

/** The Discovery fixture's delivered playbook plan, with `edit` applied, as a grader's subject (test data). */
export function subject(
  edit: (plan: ActionPlanContent) => void = () => undefined,
  expect: Partial<ScenarioExpectations> = {},
): GradeSubject {
  const input = { ...planningInput(), teamRoles: ['Executive Sponsor', 'Solutions Engineer', 'Renewal Manager', 'CSM'] };
  const plan = validatePlan(playbookPlan(input), input).content!;
  edit(plan);
  return { plan, input, expect: ScenarioExpectations.parse(expect) };
}
