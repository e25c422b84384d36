import { z } from 'zod';
import type { TaskRow } from '../read-model/tasks.ts';
import { StepResult } from '../workflows/steps/types.ts';
import { AiTask, CsmTask, Evidence, NextWorkflow, PlanSummary, SubTask, TimelineStep } from '../plan/schema.ts';

/** Response schemas (for the OpenAPI document) and the task view. */
const when = z.union([z.string(), z.date()]).nullable();

const StepView = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['input', 'analysis', 'review', 'planning']),
  status: z.enum(['pending', 'done', 'skipped']),
  needsInput: z.boolean(),
  input: z.unknown(),
  result: StepResult.nullable(),
  skipReason: z.string().nullable(),
});
const CarriedTaskView = z.object({
  id: z.uuid(),
  action: z.string(),
  owner: z.enum(['AI', 'CSM', 'Customer']),
  status: z.string(),
  dueDate: z.string().nullable(),
  priority: z.number(),
  stage: z.string(),
  executionStatus: z.string().nullable(),
  executionId: z.uuid(),
});

export const ExecutionView = z.object({
  id: z.uuid(),
  opportunityId: z.string(),
  opportunityName: z.string(),
  accountName: z.string().nullable(),
  stage: z.string(),
  urgency: z.string(),
  daysToRenewal: z.number(),
  renewalDate: z.string(),
  status: z.enum(['in_progress', 'completed', 'cancelled']),
  workflowName: z.string(),
  steps: z.array(StepView),
  currentStepId: z.string().nullable().describe('The first step still pending (null when none is, or the workflow is completed)'),
  stageChange: z
    .object({ stage: z.string(), daysToRenewal: z.number(), renewalDate: z.string(), message: z.string() })
    .nullable()
    .describe('Set when the renewal date now puts the opportunity in another stage'),
  carriedOverTasks: z.array(CarriedTaskView).describe("Earlier stages' tasks still open"),
  currentPlanId: z.uuid().nullable(),
  createdAt: when,
  updatedAt: when,
});

const value = z.union([z.string(), z.number()]).nullable();
const FieldChangeView = z.object({
  object: z.enum(['Opportunity', 'Task', 'Contact']),
  recordId: z.string().nullable(),
  recordName: z.string().nullable(),
  field: z.string(),
  oldValue: value,
  newValue: value,
});
const GenerationView = z
  .object({
    planner: z.enum(['playbook', 'llm']).nullable(),
    model: z.string().nullable(),
    profile: z.string().nullable().describe('The provider profile the request was built for (openai, openai-reasoning, azure-v1, ...)'),
    promptTokens: z.number().nullable(),
    completionTokens: z.number().nullable(),
    latencyMs: z.number().nullable(),
    modelCalls: z.number(),
    rejections: z.array(z.object({ call: z.number(), errors: z.array(z.string()) })),
    fallbackReason: z.string().nullable(),
    finishReason: z.string().nullable(),
    providerError: z
      .object({ status: z.number().nullable(), code: z.string().nullable(), param: z.string().nullable(), message: z.string().nullable() })
      .nullable()
      .describe("The provider's refusal (HTTP 4xx) in its own words, secrets redacted"),
  })
  .describe('The record of generation: which planner wrote the plan, the model, tokens, latency, rejected answers');
const TaskRef = z.object({ key: z.string(), owner: z.enum(['AI', 'CSM']), action: z.string() });
const PlanDiffView = z.object({
  previousVersion: z.number(),
  added: z.array(TaskRef),
  removed: z.array(TaskRef),
  changed: z.array(
    TaskRef.extend({ previousKey: z.string(), fields: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })) }),
  ),
  unchanged: z.number(),
  renewalDateMoved: z.object({ from: z.string(), to: z.string(), businessDays: z.number() }).nullable(),
});
const BlockerView = z.object({
  key: z.string(),
  action: z.string(),
  owner: z.enum(['AI', 'CSM']),
  status: z.string().describe("The prerequisite's status (pending, in_progress, snoozed): not done yet"),
});
const AssigneeView = z
  .object({
    id: z.string().describe("The Salesforce Task's OwnerId: a user, or a queue (00G...)"),
    name: z.string().nullable(),
    role: z.string().nullable().describe('The plan role the task asked for; null: the opportunity owner'),
    source: z.enum(['opportunity-team', 'account-team', 'queue', 'owner-fallback']),
    note: z
      .string()
      .nullable()
      .describe(
        'Why the task did not go to its role, e.g. "No Executive Sponsor on the opportunity or account team: assigned to the owner"',
      ),
  })
  .nullable()
  .describe(
    'Who owns the task (who will own it, in a draft): its team role resolved to the opportunity team, the account team, a queue or the owner',
  );
const TaskState = {
  taskId: z.uuid().nullable(),
  salesforceTaskId: z.string().nullable(),
  blockedBy: z.array(BlockerView).describe('The tasks of `dependsOn` not done yet: while any is, the task cannot be completed (or run)'),
  assignee: AssigneeView,
};
const CarriedView = z
  .object({
    fromTaskId: z.uuid(),
    fromKey: z.string(),
    fromVersion: z.number(),
    status: z.enum(['pending', 'in_progress', 'completed', 'snoozed', 'cancelled']),
    executionStatus: z.enum(['queued', 'running', 'success', 'failed']).nullable(),
    done: z.boolean().describe('Completed, or an AI task that ran: kept as it is, never re-created or re-queued'),
    csmEdited: z
      .array(z.enum(['action', 'description', 'priority', 'dueDate', 'status']))
      .describe("Fields whose CSM's values the new version keeps"),
  })
  .nullable()
  .describe(
    'Re-planning a finalized plan: the task of the finalized version this one carries over (finalize reuses that task and its Salesforce Task), as it stood when this version was generated',
  );
export const PlanView = z.object({
  id: z.uuid(),
  executionId: z.uuid(),
  version: z.number(),
  status: z.enum(['draft', 'finalized', 'superseded']),
  planner: z.enum(['playbook', 'llm']),
  plannerNote: z.string().nullable(),
  stage: z.string(),
  urgency: z.string(),
  daysToRenewal: z.number(),
  renewalDate: z.string(),
  opportunityId: z.string(),
  createdAt: when,
  finalizedAt: when,
  fixes: z.array(z.string()),
  generation: GenerationView,
  diff: PlanDiffView.nullable().describe('Against the version this one replaced; null for the first version'),
  summary: PlanSummary,
  withheld: z
    .array(z.object({ field: z.string(), label: z.string(), message: z.string() }))
    .describe(
      'CRM inputs the CSM\'s field-level security hides (e.g. Opportunity.Amount: "Amount is not visible to you"): the plan was made without them',
    ),
  aiTasks: z.array(
    AiTask.extend({
      ...TaskState,
      change: z.string().nullable(),
      fieldChanges: z
        .array(FieldChangeView)
        .describe('The exact Salesforce changes the task will make (approval gate): object, record, field, old value → new value'),
      included: z.boolean().describe('Whether finalize runs it unless the CSM changes it; false for a field write awaiting approval'),
      needsApproval: z
        .boolean()
        .describe('A Salesforce field write the model proposed (or resting only on CRM free text): runs only with an explicit include'),
      suggestedFromCrmText: z.boolean().describe('Its only evidence is free text from the CRM (a description, a NextStep)'),
      carried: CarriedView,
      executionStatus: z.enum(['queued', 'running', 'success', 'failed']).nullable(),
      executionResult: z.unknown(),
      executedAt: when,
    }),
  ),
  csmTasks: z.array(
    CsmTask.extend({
      ...TaskState,
      status: z.string(),
      snoozedUntil: when,
      carried: CarriedView,
      subTasks: z.array(SubTask.extend({ taskId: z.uuid().nullable(), status: z.string(), carried: CarriedView })),
    }),
  ),
  timeline: z.array(
    TimelineStep.extend({
      status: z
        .enum(['pending', 'in_progress', 'done', 'overdue'])
        .describe('Live: done when every task the step stands for is done, overdue when its date has passed'),
    }),
  ),
  addedTasks: z
    .array(
      z.object({
        taskId: z.uuid(),
        key: z.string(),
        owner: z.enum(['AI', 'CSM', 'Customer']),
        action: z.string(),
        processor: z.string().nullable(),
        status: z.string(),
        dueDate: z.string().nullable(),
        executionStatus: z.enum(['queued', 'running', 'success', 'failed']).nullable(),
        explanation: z
          .string()
          .nullable()
          .describe('Why it was added or changed ("created because the email sent on Dec 3 had no open after 3 business days")'),
        awaitingApproval: z
          .boolean()
          .describe('A proposed Salesforce change: runs only once the CSM approves it (POST /api/workflows/tasks/{id}/approve)'),
        salesforceTaskId: z.string().nullable(),
      }),
    )
    .describe('Tasks added to the finalized plan after finalize: by AI tasks (a monitoring task) and by the engagement rules'),
  nextWorkflow: NextWorkflow.nullable(),
  mirror: z
    .object({
      synced: z.number(),
      pending: z.number(),
      failed: z.number(),
      stuck: z
        .array(
          z.object({
            taskId: z.uuid(),
            key: z.string(),
            action: z.string(),
            reason: z.string(),
            retryAt: z.string().nullable().describe('When the backoff makes it due again; null when rejected, or due at the next sync run'),
            rejected: z.boolean().describe('Salesforce rejected the Task: it is not retried'),
          }),
        )
        .describe(
          'Tasks whose copy to Salesforce is stuck: waiting longer than MIRROR_STUCK_AFTER_MINUTES (retried with a backoff for as long as it takes), or rejected by Salesforce',
        ),
    })
    .describe('Where the Salesforce Task copies stand; a task waiting less than MIRROR_STUCK_AFTER_MINUTES is only counted in pending'),
});

export const TaskView = z.object({
  id: z.uuid(),
  actionPlanId: z.uuid(),
  executionId: z.uuid(),
  opportunityId: z.string(),
  key: z.string(),
  owner: z.enum(['AI', 'CSM', 'Customer']),
  action: z.string(),
  description: z.string(),
  priority: z.number(),
  dueDate: z.string().nullable(),
  status: z.string(),
  snoozedUntil: when,
  completedAt: when,
  contactId: z.string().nullable(),
  autoExecute: z.boolean(),
  processor: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  evidence: z.array(Evidence),
  executionStatus: z.string().nullable(),
  executionResult: z.unknown(),
  executedAt: when,
  parentTaskId: z.uuid().nullable(),
  complexity: z.string().nullable(),
  estimatedCompletionTime: z.string().nullable(),
  salesforceTaskId: z.string().nullable(),
  mirrorStatus: z.string(),
  mirrorError: z.string().nullable(),
  explanation: z.string().nullable().describe('Why the service added or changed this task on its own (an engagement rule)'),
  awaitingApproval: z.boolean().describe('An AI task proposed after finalize: it runs only once the CSM approves it'),
  createdAt: when,
  updatedAt: when,
});

export function taskView(t: TaskRow): z.infer<typeof TaskView> {
  return {
    id: t.id,
    actionPlanId: t.actionPlanId,
    executionId: t.executionId,
    opportunityId: t.opportunityId,
    key: t.planTaskKey,
    owner: t.owner,
    action: t.action,
    description: t.description,
    priority: t.priority,
    dueDate: t.dueDate,
    status: t.status,
    snoozedUntil: t.snoozedUntil,
    completedAt: t.completedAt,
    contactId: t.contactId,
    autoExecute: t.autoExecute,
    processor: t.processor,
    metadata: t.metadata,
    evidence: t.evidence as z.infer<typeof Evidence>[],
    executionStatus: t.executionStatus,
    executionResult: t.executionResult,
    executedAt: t.executedAt,
    parentTaskId: t.parentTaskId,
    complexity: t.complexity,
    estimatedCompletionTime: t.estimatedCompletionTime,
    salesforceTaskId: t.salesforceTaskId,
    mirrorStatus: t.mirrorStatus,
    mirrorError: t.mirrorError,
    explanation: t.explanation,
    awaitingApproval: t.awaitingApproval,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
