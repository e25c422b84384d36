import { z } from 'zod';
import { IsoDateSchema } from '../calendar/dates.ts';
import { StageId } from '../stages/stages.ts';

/**
 * The action plan, declared once: the planners produce it, validation checks it, the routes return it and
 * the database stores it. Every property is required (nullable where it may be absent) so the same schema
 * can drive an LLM's strict structured output.
 */
export const IsoDate = IsoDateSchema;
/** Upper bounds of the plan's lists: the schema a model writes to is bounded everywhere (maxItems). */
export const MAX_PLAN_TASKS = 50;
export const MAX_EVIDENCE = 20;
export const TaskKey = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes');
const Owner = z.enum(['AI', 'CSM', 'Customer']);
export const Priority = z.number().int().min(1).max(5);
const Complexity = z.enum(['simple', 'moderate', 'complex']);

/** At most this many prerequisites per task. */
const MAX_DEPENDENCIES = 10;
/**
 * The tasks (AI or CSM, by key in this plan) a task waits for: it cannot be completed, nor an AI task run, before they
 * are done. Empty when it waits for nothing. Stored plans written before dependencies existed read as empty.
 */
export const DependsOn = z
  .array(TaskKey)
  .max(MAX_DEPENDENCIES)
  .describe('Keys of the tasks of this plan (AI or CSM) that must be done before this one can start; empty when none');
/**
 * The plan-level team role that should do a task ("Executive Sponsor", "Solutions Engineer", "Renewal Manager",
 * "CSM"); finalize resolves it to the person in that role on the opportunity's team, then the account's, else the
 * opportunity owner. Null: the opportunity owner.
 */
export const AssigneeRole = z
  .string()
  .min(1)
  .max(80)
  .nullable()
  .describe('The team role that should own this task (e.g. "Executive Sponsor"), or null for the opportunity owner');

export const Evidence = z.object({
  type: z.enum(['opportunity', 'account', 'contact', 'contactRole', 'activity', 'user', 'step']),
  id: z.string().min(1).max(100),
  field: z.string().max(100).nullable(),
});

export const AiTask = z.object({
  key: TaskKey,
  action: z.string().min(1).max(200),
  description: z.string().max(2000),
  processor: z.string().min(1),
  priority: Priority,
  executeImmediately: z.boolean(),
  metadata: z.record(z.string(), z.unknown()),
  evidence: z.array(Evidence).max(MAX_EVIDENCE),
  dependsOn: DependsOn.default([]),
  assigneeRole: AssigneeRole.default(null),
});

/**
 * What a CSM task is: plain work, or a meeting with people (the CFO meeting, the QBR, the renewal review) that is booked
 * as a Salesforce Event in a slot the CSM picks. Stored plans written before kinds existed read as tasks.
 */
export const CsmTaskKind = z
  .enum(['task', 'meeting'])
  .describe('"meeting" when the task is a meeting with the customer or the team (booked in the calendar), else "task"');

export const SubTask = z.object({ key: TaskKey, action: z.string().min(1).max(200) });

export const CsmTask = z.object({
  key: TaskKey,
  action: z.string().min(1).max(200),
  description: z.string().max(2000),
  complexity: Complexity,
  priority: Priority,
  estimatedTime: z.string().min(1).max(50),
  dueDate: IsoDate,
  contactId: z.string().nullable(),
  subTasks: z.array(SubTask).max(10),
  evidence: z.array(Evidence).max(MAX_EVIDENCE),
  dependsOn: DependsOn.default([]),
  assigneeRole: AssigneeRole.default(null),
  kind: CsmTaskKind.default('task'),
});

export const TimelineStep = z.object({
  step: z.number().int().min(1),
  date: IsoDate,
  owner: Owner,
  title: z.string().min(1).max(200),
  description: z.string().max(1000),
  status: z.enum(['pending', 'in_progress', 'done']),
  taskKeys: z
    .array(TaskKey)
    .max(20)
    .describe('The keys of the AI and CSM tasks this step stands for (its status follows them); empty for a customer milestone'),
});

export const NextWorkflow = z.object({
  stage: StageId,
  name: z.string().min(1).max(100),
  triggerDate: IsoDate,
  conditions: z.array(z.string().min(1).max(300)).max(10),
});

export const PlanSummary = z.object({
  completedSteps: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        status: z.enum(['done', 'not_done']),
        output: z.string().max(1000),
        decision: z.string().max(500).nullable(),
      }),
    )
    .max(20),
  keyDecisions: z.array(z.string().min(1).max(500)).max(10),
  keyMetrics: z
    .array(z.object({ label: z.string().min(1).max(100), value: z.string().min(1).max(100), detail: z.string().max(300).nullable() }))
    .max(12),
});

export const ActionPlanContent = z.object({
  summary: PlanSummary,
  aiTasks: z.array(AiTask).max(MAX_PLAN_TASKS),
  csmTasks: z.array(CsmTask).max(MAX_PLAN_TASKS),
  timeline: z.array(TimelineStep).max(2 * MAX_PLAN_TASKS),
  nextWorkflow: NextWorkflow.nullable(),
});

export type AiTask = z.infer<typeof AiTask>;
/** A task as a planner writes it: dependsOn and assigneeRole may be left out (none, the owner). */
export type AiTaskInput = z.input<typeof AiTask>;
export type CsmTaskInput = z.input<typeof CsmTask>;
export type CsmTask = z.infer<typeof CsmTask>;
export type TimelineStep = z.infer<typeof TimelineStep>;
export type ActionPlanContent = z.infer<typeof ActionPlanContent>;
export type Evidence = z.infer<typeof Evidence>;
