import type { ExecutionStep } from '../../db/executions.ts';
import { conflict, invalidInput } from '../../domain-errors.ts';
import { sharedModelMetrics } from '../../plan/model-metrics.ts';
import { contextIdKeys, unknownIds } from '../../plan/known-ids.ts';
import { redactSecrets } from '../../secrets.ts';
import { StepModelError, type StepModel } from './model.ts';
import { StepResult, type StepContext, type StepDefinition } from './types.ts';
import type { Workflow } from './workflows.ts';

/** The context of one step, without the earlier results (added per step from the stored steps). */
export type BaseStepContext = Omit<StepContext, 'previous'>;

const isAutomatic = (d: StepDefinition) => d.input === null && d.type !== 'planning';

/** The results of the done steps before `index`, by step id: what the step at `index` may build on. */
export function previousResults(steps: ExecutionStep[], index: number): Record<string, StepResult> {
  const out: Record<string, StepResult> = {};
  steps.slice(0, index).forEach((s) => {
    if (s.status === 'done' && s.result) out[s.id] = s.result as StepResult;
  });
  return out;
}

/** Runs one step's rules and returns its result; the output is checked against the step's schema. */
export function analyzeStep(definition: StepDefinition, ctx: StepContext, input: unknown, now: Date): StepResult {
  const a = definition.analyze(ctx, input ?? null);
  const output = definition.output.parse(a.output) as Record<string, unknown>;
  return {
    summary: a.summary,
    decision: a.decision,
    findings: a.findings,
    actions: a.actions ?? [],
    output,
    analyzer: definition.input ? 'csm' : 'rules',
    fallbackReason: null,
    ranAt: now.toISOString(),
  };
}

/** Parses a CSM's input against the step's schema; a failure is a 400 naming each field (`body.input.confidence`). */
function parseStepInput(definition: StepDefinition, raw: unknown): unknown {
  if (!definition.input)
    throw invalidInput(`The ${definition.name} step takes no input; run it instead`, [
      { path: 'body.input', message: 'this step takes no input' },
    ]);
  const parsed = definition.input.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: ['body', 'input', ...i.path].join('.'), message: i.message }));
  throw invalidInput(`Invalid input for ${definition.name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

/**
 * Runs the automatic steps after `from` again when they had run, so a change upstream (new CSM input, a re-run)
 * never leaves a stale recommendation behind. Returns the ids it re-ran.
 */
function refreshDownstream(steps: ExecutionStep[], workflow: Workflow, from: number, base: BaseStepContext, now: Date): string[] {
  const rerun: string[] = [];
  for (let i = from + 1; i < steps.length; i++) {
    const s = steps[i]!;
    const def = definitionOf(workflow, s.id);
    if (s.status !== 'done' || !isAutomatic(def)) continue;
    s.result = analyzeStep(def, { ...base, previous: previousResults(steps, i) }, null, now);
    rerun.push(s.id);
  }
  return rerun;
}

export function definitionOf(workflow: Workflow, stepId: string): StepDefinition {
  const def = workflow.steps.find((s) => s.id === stepId)?.definition;
  if (!def) throw new Error(`step ${stepId} is not in the ${workflow.stage} workflow`);
  return def;
}

function stepIndex(steps: ExecutionStep[], stepId: string): number {
  const i = steps.findIndex((s) => s.id === stepId);
  if (i < 0)
    throw invalidInput(`This execution has no step ${stepId}`, [
      { path: 'path.stepId', message: `no step ${stepId} in this workflow (${steps.map((s) => s.id).join(', ')})` },
    ]);
  return i;
}

/** The pure state changes behind the step API. Each returns the ids whose result changed (for the model pass). */
export const stepOps = {
  submit(steps: ExecutionStep[], workflow: Workflow, stepId: string, input: unknown, base: BaseStepContext, now: Date): string[] {
    const i = stepIndex(steps, stepId);
    const def = definitionOf(workflow, stepId);
    const parsed = parseStepInput(def, input);
    const step = steps[i]!;
    step.input = parsed;
    step.result = analyzeStep(def, { ...base, previous: previousResults(steps, i) }, parsed, now);
    step.status = 'done';
    step.skipReason = null;
    return [stepId, ...refreshDownstream(steps, workflow, i, base, now)];
  },

  run(steps: ExecutionStep[], workflow: Workflow, stepId: string, base: BaseStepContext, now: Date): string[] {
    const i = stepIndex(steps, stepId);
    const def = definitionOf(workflow, stepId);
    const step = steps[i]!;
    if (def.type === 'planning') throw conflict('The action plan step runs through POST action-plan/generate');
    if (def.input && step.input === undefined) throw conflict(`${step.name} waits for the CSM's input: submit it first`);
    step.result = analyzeStep(def, { ...base, previous: previousResults(steps, i) }, step.input ?? null, now);
    step.status = 'done';
    step.skipReason = null;
    return [stepId, ...refreshDownstream(steps, workflow, i, base, now)];
  },

  /** Runs every pending step that needs no CSM input, in order (what generating the plan does first). */
  runAutomatic(steps: ExecutionStep[], workflow: Workflow, base: BaseStepContext, now: Date): string[] {
    const ran: string[] = [];
    steps.forEach((s, i) => {
      const def = definitionOf(workflow, s.id);
      if (s.status !== 'pending' || !isAutomatic(def)) return;
      s.result = analyzeStep(def, { ...base, previous: previousResults(steps, i) }, null, now);
      s.status = 'done';
      ran.push(s.id);
    });
    return ran;
  },

  skip(steps: ExecutionStep[], workflow: Workflow, stepId: string, reason: string, base: BaseStepContext, now: Date): string[] {
    const i = stepIndex(steps, stepId);
    if (definitionOf(workflow, stepId).type === 'planning') throw conflict('The action plan step cannot be skipped');
    const step = steps[i]!;
    step.status = 'skipped';
    step.skipReason = reason;
    step.result = null;
    return refreshDownstream(steps, workflow, i, base, now);
  },

  /** Goes back to a step: it and the automatic steps after it are pending again; the CSM's inputs are kept. */
  back(steps: ExecutionStep[], workflow: Workflow, stepId: string): string[] {
    const i = stepIndex(steps, stepId);
    if (definitionOf(workflow, stepId).type === 'planning') throw conflict('Generate the plan again instead of going back to it');
    steps.forEach((s, j) => {
      if (j < i) return;
      const def = definitionOf(workflow, s.id);
      if (j === i || isAutomatic(def)) {
        s.status = 'pending';
        s.result = null;
        s.skipReason = null;
      }
    });
    return [];
  },
};

/**
 * Asks the model to analyse a step that allows it. Its answer is judged like a plan: the step's schema, then
 * grounding (ids only from the CRM context, the step's own checks); an answer that fails, or no answer by the
 * deadline, is replaced by the rules' result with the reason kept: the same rule as the plan.
 */
export async function modelResult(
  model: StepModel,
  definition: StepDefinition,
  ctx: StepContext,
  rules: StepResult,
  signal?: AbortSignal,
): Promise<StepResult> {
  if (!definition.model) return rules;
  const fallback = (reason: string, kind: string): StepResult => {
    sharedModelMetrics.fallbacks.inc({ purpose: 'step', reason: kind });
    return { ...rules, analyzer: 'rules', fallbackReason: `The model failed (${redactSecrets(reason).slice(0, 300)}); the rules answered` };
  };
  let answer: unknown;
  try {
    const facts = { stage: ctx.stage.name, daysToRenewal: ctx.daysToRenewal, steps: ctx.previous, rulesAnswer: rules.output };
    answer = await model.analyze({
      stepId: definition.id,
      instructions: definition.model.instructions,
      facts,
      schema: definition.output,
      context: ctx.crm,
      signal,
    });
  } catch (err) {
    return fallback((err as Error).message, err instanceof StepModelError ? err.kind : 'error');
  }
  const parsed = definition.output.safeParse(answer);
  if (!parsed.success)
    return fallback(
      `its answer does not fit the step's schema: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`)
        .join('; ')}`,
      'invalid',
    );
  const output = parsed.data as Record<string, unknown>;
  const stray = unknownIds(output, contextIdKeys(ctx.crm)).map((id) => `${id} is not a record of this opportunity's CRM context`);
  const errors = [...stray, ...(definition.model.ground?.(output, ctx) ?? [])];
  if (errors.length) return fallback(`its answer is not grounded: ${errors.slice(0, 3).join('; ')}`, 'ungrounded');
  return { ...rules, output, analyzer: 'llm', fallbackReason: null };
}
