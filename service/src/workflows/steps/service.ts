import type { ExecutionRow, ExecutionStep } from '../../db/executions.ts';
import { carriedOverTasks, updateExecutionSteps } from '../../db/steps.ts';
import type { Deps } from '../../deps.ts';
import { conflict, notFound } from '../../domain-errors.ts';
import type { CrmContext } from '../../salesforce/context.ts';
import { stageById, StageId } from '../../stages/stages.ts';
import { daysBetween } from '../../calendar/dates.ts';
import { definitionOf, modelResult, previousResults, stepOps, type BaseStepContext } from './run.ts';
import type { StepResult } from './types.ts';
import { workflowFor, type Workflow } from './workflows.ts';

/** The steps a new execution of a stage starts with, from the workflow configuration. */
export function initialSteps(stage: string, workflows: Workflow[]): ExecutionStep[] {
  return workflowFor(stage, workflows).steps.map((s) => ({
    id: s.id,
    name: s.name,
    type: s.definition.type,
    status: 'pending',
    needsInput: s.definition.input !== null,
    result: null,
    skipReason: null,
  }));
}

/** What every analysis of this execution may read: fresh CRM data, the stage, today and carried-over tasks. */
async function baseContext(deps: Deps, execution: ExecutionRow, crm: CrmContext): Promise<BaseStepContext> {
  const today = deps.today();
  const openTasks = await carriedOverTasks(deps.db.sql, execution);
  return {
    crm,
    stage: stageById(StageId.parse(execution.stage), deps.stages),
    today,
    daysToRenewal: daysBetween(today, crm.opportunity.renewalDate),
    calendar: deps.calendar,
    openTasks,
  };
}

/** Steps change only while the workflow is in progress. */
export function assertStepsOpen(execution: ExecutionRow): void {
  if (execution.status !== 'in_progress')
    throw conflict(`This ${execution.stage} workflow is ${execution.status}; its steps can no longer change`);
}

type Op = (steps: ExecutionStep[], workflow: Workflow, base: BaseStepContext, now: Date) => string[];

/**
 * Applies one step operation under the execution's lock, then lets a configured model re-answer the steps that
 * allow it (outside any transaction: a model call must never hold a row lock).
 */
async function applyStepOp(deps: Deps, execution: ExecutionRow, op: Op, crm: CrmContext, signal?: AbortSignal): Promise<ExecutionRow> {
  assertStepsOpen(execution);
  const base = await baseContext(deps, execution, crm);
  const workflow = workflowFor(execution.stage, deps.workflows);
  let changed: string[] = [];
  const updated = await updateExecutionSteps(deps.db.sql, execution.id, (steps, row) => {
    if (row.status !== 'in_progress') throw conflict(`This ${row.stage} workflow is ${row.status}; its steps can no longer change`);
    changed = op(steps, workflow, base, deps.now());
    return steps;
  });
  if (!updated) throw notFound(`Execution ${execution.id}`);
  return deps.stepModel ? modelPass(deps, updated, workflow, base, changed, signal) : updated;
}

async function modelPass(
  deps: Deps,
  execution: ExecutionRow,
  workflow: Workflow,
  base: BaseStepContext,
  changed: string[],
  signal?: AbortSignal,
): Promise<ExecutionRow> {
  const answers = new Map<string, StepResult>();
  for (const id of changed) {
    const def = definitionOf(workflow, id);
    const i = execution.steps.findIndex((s) => s.id === id);
    const step = execution.steps[i]!;
    if (!def.model || step.status !== 'done' || !step.result) continue;
    answers.set(
      id,
      await modelResult(
        deps.stepModel!,
        def,
        { ...base, previous: previousResults(execution.steps, i) },
        step.result as StepResult,
        signal,
      ),
    );
  }
  if (answers.size === 0) return execution;
  const updated = await updateExecutionSteps(deps.db.sql, execution.id, (steps) =>
    steps.map((s) => {
      const answer = answers.get(s.id);
      // Only if nothing re-ran the step meanwhile (same rules answer as the model saw).
      return answer && s.status === 'done' && (s.result as StepResult | null)?.ranAt === answer.ranAt ? { ...s, result: answer } : s;
    }),
  );
  return updated ?? execution;
}

// The step operations run on the opportunity's CRM context as the caller read it (fresh, its renewal date followed).

/** The CSM submits a step's input: validated (400 naming the field), analysed, stored; later results refresh. */
export function submitStepInput(deps: Deps, execution: ExecutionRow, crm: CrmContext, stepId: string, input: unknown) {
  return applyStepOp(deps, execution, (steps, w, base, now) => stepOps.submit(steps, w, stepId, input, base, now), crm);
}

/** Runs one step's analysis now (an input step re-runs on its stored input). */
export function runStep(deps: Deps, execution: ExecutionRow, crm: CrmContext, stepId: string) {
  return applyStepOp(deps, execution, (steps, w, base, now) => stepOps.run(steps, w, stepId, base, now), crm);
}

/** Skips a step with the CSM's reason; the plan reports it as not done, with the reason. */
export function skipStep(deps: Deps, execution: ExecutionRow, crm: CrmContext, stepId: string, reason: string) {
  return applyStepOp(deps, execution, (steps, w, base, now) => stepOps.skip(steps, w, stepId, reason, base, now), crm);
}

/** Goes back to an earlier step (it, and the automatic steps after it, become pending again). */
export function goBackToStep(deps: Deps, execution: ExecutionRow, crm: CrmContext, stepId: string) {
  return applyStepOp(deps, execution, (steps, w) => stepOps.back(steps, w, stepId), crm);
}

/**
 * Before a plan is generated: runs every pending step that needs no CSM input, on the CRM context the plan is
 * generated from. Steps still waiting for the CSM stay pending; the plan reports them as not done.
 */
export async function runAutomaticSteps(deps: Deps, execution: ExecutionRow, crm: CrmContext, signal?: AbortSignal): Promise<ExecutionRow> {
  if (execution.status !== 'in_progress') return execution;
  return applyStepOp(deps, execution, (steps, w, base, now) => stepOps.runAutomatic(steps, w, base, now), crm, signal);
}
