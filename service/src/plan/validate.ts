import type { PlanningInput } from './planner.ts';
import { ActionPlanContent } from './schema.ts';
import { PLAN_CHECKS, PLAN_FIXES, planFacts } from './validation-rules.ts';

interface PlanValidation {
  /** The plan after fixes, when it is acceptable. */
  content?: ActionPlanContent;
  /** Problems fixed in place (a due date moved to the next business day...), in words for the CSM. */
  fixes: string[];
  /** Problems that cannot be fixed: the plan is rejected. */
  errors: string[];
}

/**
 * The one validation every plan passes, whichever planner wrote it: the schema; processors only from the
 * registry with metadata valid for that processor; referenced contacts and evidence that exist in the
 * context and belong to the opportunity's account; due dates on business days inside the stage window;
 * sub-tasks only under complex tasks; a cap on tasks; an ordered timeline inside the stage window; the next workflow of
 * the stage table. AI tasks are grounded: only processors offered for this renewal (the stage's allow-list, and only
 * when their input can be grounded), no more tasks of a processor than it allows per plan, ids in metadata only from
 * the CRM context or the workflow steps' outputs, and each processor's own grounding check (a contact of the
 * account, a sent email of the context...). Dependencies name tasks of the plan, never the task itself, and form no
 * cycle; a task is not due before what it waits for, and the timeline puts a step after the steps it waits for.
 * The rules are the tables of validation-rules.ts: every check runs on the plan as written, then every fix in order.
 */
interface ValidateOptions {
  /**
   * Over the task cap, drop the lowest-priority tasks (a fix) instead of rejecting the plan. Only for plans no planner
   * wrote as a whole (a re-plan with carried-over tasks); a planner's answer over the cap is rejected and repaired.
   */
  trimOverCap?: boolean;
}

export function validatePlan(raw: unknown, input: PlanningInput, options: ValidateOptions = {}): PlanValidation {
  const parsed = ActionPlanContent.safeParse(raw);
  if (!parsed.success) {
    return { fixes: [], errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`) };
  }
  const facts = planFacts(structuredClone(parsed.data), input, options.trimOverCap);
  // The checks read nothing the fixes change (keys, ids, processors, dependencies, counts, the next stage), so they
  // see the plan as written; the fixes then run in the table's order, each on the result of the one before.
  const errors = PLAN_CHECKS.flatMap((check) => check.errors(facts));
  const fixes = PLAN_FIXES.flatMap((fix) => fix.apply(facts));
  return errors.length ? { fixes, errors } : { content: facts.plan, fixes, errors };
}
