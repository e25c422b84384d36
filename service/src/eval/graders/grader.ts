import type { PlanningInput } from '../../plan/planner.ts';
import type { ActionPlanContent } from '../../plan/schema.ts';
import type { ScenarioExpectations } from '../scenario.ts';

/** What a grader judges: the plan the service delivered, what it was planned from, and the scenario's expectations. */
export interface GradeSubject {
  plan: ActionPlanContent;
  input: PlanningInput;
  expect: ScenarioExpectations;
}

/**
 * One hard grader: a pure function from a plan to the reasons it fails (none: it passes). Each reason names the task
 * or field at fault, so a failing row of the report says why without opening the plan.
 */
export interface Grader {
  name: string;
  /** One line for the report's legend. */
  checks: string;
  grade(subject: GradeSubject): string[];
}

/** Every task of a plan with where it sits, as reasons name it (`csmTasks.2 (csm-3)`). */
export function tasksOf(plan: ActionPlanContent) {
  return [
    ...plan.aiTasks.map((t, i) => ({ task: t, owner: 'AI' as const, where: `aiTasks.${i} (${t.key})` })),
    ...plan.csmTasks.map((t, i) => ({ task: t, owner: 'CSM' as const, where: `csmTasks.${i} (${t.key})` })),
  ];
}

/** Every string of a value (a plan), for graders that look for text anywhere in it. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}
