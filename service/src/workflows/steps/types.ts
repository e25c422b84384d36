import { z } from 'zod';
import type { BusinessCalendar } from '../../calendar/business-days.ts';
import type { IsoDate } from '../../calendar/dates.ts';
import type { CrmContext } from '../../salesforce/context.ts';
import type { RenewalStage } from '../../stages/stages.ts';

type StepType = 'input' | 'analysis' | 'review' | 'planning';

/** One thing a step found, ranked so recommendations and the plan can order them. */
export const Finding = z.object({
  severity: z.enum(['critical', 'concern', 'strength', 'info']),
  text: z.string().min(1),
});
export type Finding = z.infer<typeof Finding>;

/**
 * Something a step says should be done. `topic` lets the planner see that a CRM signal already covers it
 * (economic-buyer, primary-contact, value-case, contract-deadline, price-cap, adoption, ...).
 */
export const StepAction = z.object({
  topic: z.string().min(1).max(60),
  priority: z.number().int().min(1).max(5),
  title: z.string().min(1).max(200),
  rationale: z.string().max(1000),
  owner: z.enum(['CSM', 'AI']),
});
export type StepAction = z.infer<typeof StepAction>;

/** What running a step produced; stored on the execution and handed to the planner. */
export const StepResult = z.object({
  /** One line for the plan's "process completed" section. */
  summary: z.string(),
  /** The decision the step leads to, if any (shown with the summary). */
  decision: z.string().nullable(),
  findings: z.array(Finding),
  actions: z.array(StepAction),
  /** The step's own structured output (its definition's `output` schema). */
  output: z.record(z.string(), z.unknown()),
  analyzer: z.enum(['rules', 'llm', 'csm']),
  /** Why the rules ran instead of the model, when a model was configured. */
  fallbackReason: z.string().nullable(),
  ranAt: z.string(),
});
export type StepResult = z.infer<typeof StepResult>;

/** A task of an earlier stage's plan still open when this execution started (carried over). */
export interface OpenTask {
  id: string;
  action: string;
  owner: 'AI' | 'CSM' | 'Customer';
  status: string;
  dueDate: string | null;
  priority: number;
  stage: string;
  executionStatus: string | null;
}

/** Everything an analysis may read. Pure data: analyses never call Salesforce or the database themselves. */
export interface StepContext {
  crm: CrmContext;
  stage: RenewalStage;
  today: IsoDate;
  daysToRenewal: number;
  calendar: BusinessCalendar;
  /** Results of the steps before this one that are done, by step id. */
  previous: Record<string, StepResult>;
  /** Open tasks carried over from the previous stage's execution. */
  openTasks: OpenTask[];
}

/** What an analysis returns; the runner adds the analyzer, time and validation. */
interface Analysis<O> {
  output: O;
  summary: string;
  decision: string | null;
  findings: Finding[];
  /** What should be done about what the step found (collected by the recommendations step). */
  actions?: StepAction[];
}

/**
 * A step definition from the library. A workflow (configuration) lists steps by id; the definition says what the
 * step asks of the CSM (`input`, a zod schema the UI renders as a form), how it analyses (`analyze`, rules over
 * the CRM data and earlier steps), and what it produces (`output`, also the structured-output schema when a
 * model analyses it: see `model`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the step library lists definitions of every input and output type
export interface StepDefinition<I = any, O extends Record<string, unknown> = any> {
  id: string;
  name: string;
  type: StepType;
  description: string;
  /** The CSM's input; a step with an input schema waits for the CSM before it can run. */
  input: z.ZodType<I> | null;
  output: z.ZodType<O>;
  /** The deterministic analysis: the default, and the fallback whenever the model fails. */
  analyze(ctx: StepContext, input: I | null): Analysis<O>;
  /**
   * When set, a configured model may analyse instead, with these instructions and the same output schema; `ground`
   * lists what in a schema-valid answer is not backed by the step's inputs (each makes the rules answer instead).
   */
  model?: { instructions: string; ground?(output: O, ctx: StepContext): string[] };
}
