import type { ProcessorRegistry } from '../../../processors/registry.ts';
import type { BusinessCalendar } from '../calendar/business-days.ts';
import type { IsoDate } from '../calendar/dates.ts';
import type { CrmContext } from '../salesforce/context.ts';
import type { RenewalStage } from '../stages/stages.ts';
import type { ActionPlanContent } from './schema.ts';

/** An earlier step of the stage workflow (CSM assessment, contract analysis...) whose output the plan may rest on. */
export interface PlanningStep {
  id: string;
  name: string;
  status: string;
  output?: unknown;
  decision?: string | null;
}

/**
 * Everything a planner may use: the CRM context, the stage, the calendar and today's date. Open for more
 * inputs (the workflow's earlier steps arrive as `steps`); planners read only what they know.
 */
export interface PlanningInput {
  context: CrmContext;
  stage: RenewalStage;
  today: IsoDate;
  daysToRenewal: number;
  calendar: BusinessCalendar;
  maxTasks: number;
  /** Earlier workflow steps with their outputs and decisions; tasks may cite them as `step` evidence by id. */
  steps?: readonly PlanningStep[];
  /**
   * The plan's team roles (TEAM_ROLES), offered to the model for assigneeRole. Not a constraint: a role no one holds
   * (configured or not) resolves to the owner with a note at finalize, so no planner's plan fails on a role.
   */
  teamRoles?: readonly string[];
  /** The processors plans are checked against; the product's registry unless a test brings its own. */
  processors?: ProcessorRegistry;
}

export interface PlannerOutput {
  content: ActionPlanContent;
  /** Facts about the generation (model, tokens, latency...) stored with the plan. */
  generation: Record<string, unknown>;
}

/** A source of action plans. The playbook planner is always available; an LLM planner can sit beside it. */
export interface Planner {
  readonly name: 'playbook' | 'llm';
  /** `signal` is the generation's deadline: a planner that calls out must stop when it aborts. */
  plan(input: PlanningInput, signal?: AbortSignal): Promise<PlannerOutput>;
}
