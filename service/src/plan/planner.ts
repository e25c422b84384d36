import type { BusinessCalendar } from '../calendar/business-days.ts';
import type { IsoDate } from '../calendar/dates.ts';
import type { CrmContext } from '../salesforce/context.ts';
import type { RenewalStage } from '../stages/stages.ts';
import type { ActionPlanContent } from './schema.ts';

/** Everything a planner may use: the CRM context, the stage, the calendar and today's date. */
export interface PlanningInput {
  context: CrmContext;
  stage: RenewalStage;
  today: IsoDate;
  daysToRenewal: number;
  calendar: BusinessCalendar;
  maxTasks: number;
}

export interface PlannerOutput {
  content: ActionPlanContent;
  /** Facts about the generation (model, tokens, latency...) stored with the plan. */
  generation: Record<string, unknown>;
}

/** A source of action plans. The playbook planner is always available; an LLM planner can sit beside it. */
export interface Planner {
  readonly name: 'playbook' | 'llm';
  plan(input: PlanningInput): Promise<PlannerOutput>;
}
