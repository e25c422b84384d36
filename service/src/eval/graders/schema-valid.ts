import { ActionPlanContent } from '../../plan/schema.ts';

/**
 * The schema grader: the plan parses as the one plan schema. It takes the raw plan (the others take the parsed one), so
 * the harness grades the rest only when this passes.
 */
export function schemaErrors(raw: unknown): string[] {
  const parsed = ActionPlanContent.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`);
}
