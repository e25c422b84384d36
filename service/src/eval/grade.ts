import type { PlanningInput } from '../plan/planner.ts';
import { ActionPlanContent } from '../plan/schema.ts';
import { HARD_GRADERS, SCHEMA_GRADER } from './graders/index.ts';
import { schemaErrors } from './graders/schema-valid.ts';
import type { ScenarioExpectations } from './scenario.ts';

/** One grader's verdict on one plan: pass, fail with reasons, or not graded (null) when the plan is not schema-valid. */
export interface GradeResult {
  grader: string;
  pass: boolean | null;
  reasons: string[];
}

/** Every hard grader's verdict on a plan: the schema first; the rest only on a plan that parses. */
export function gradePlan(raw: unknown, input: PlanningInput, expect: ScenarioExpectations): GradeResult[] {
  const schema = schemaErrors(raw);
  const results: GradeResult[] = [{ grader: SCHEMA_GRADER.name, pass: schema.length === 0, reasons: schema.slice(0, 10) }];
  const parsed = ActionPlanContent.safeParse(raw);
  for (const g of HARD_GRADERS) {
    if (!parsed.success) {
      results.push({ grader: g.name, pass: null, reasons: ['not graded: the plan is not schema-valid'] });
      continue;
    }
    const reasons = g.grade({ plan: parsed.data, input, expect });
    results.push({ grader: g.name, pass: reasons.length === 0, reasons: reasons.slice(0, 10) });
  }
  return results;
}

/** The graders' names in report order. */
export const GRADER_NAMES = [SCHEMA_GRADER.name, ...HARD_GRADERS.map((g) => g.name)];
