import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { STAGE_IDS, StageId } from '../../stages/stages.ts';
import { stepLibrary } from './library/index.ts';
import type { StepDefinition } from './types.ts';

const WorkflowStep = z.object({ step: z.string().min(1), name: z.string().min(1).max(80).optional() }).strict();
const WorkflowConfig = z.object({ stage: StageId, name: z.string().min(1), steps: z.array(WorkflowStep).min(1) }).strict();

const WorkflowsFile = z
  .object({ $comment: z.string().optional(), workflows: z.array(WorkflowConfig) })
  .superRefine(({ workflows }, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    for (const stage of STAGE_IDS) {
      const n = workflows.filter((w) => w.stage === stage).length;
      if (n !== 1) issue(['workflows'], n ? `stage ${stage} has ${n} workflows; it needs exactly one` : `stage ${stage} has no workflow`);
    }
    workflows.forEach((w, i) => {
      const seen = new Set<string>();
      w.steps.forEach((s, j) => {
        if (!stepLibrary[s.step])
          issue(['workflows', i, 'steps', j, 'step'], `unknown step "${s.step}" (the library has ${Object.keys(stepLibrary).join(', ')})`);
        if (seen.has(s.step)) issue(['workflows', i, 'steps', j, 'step'], `step "${s.step}" appears twice in ${w.stage}`);
        seen.add(s.step);
        if (s.step === 'action-plan' && j !== w.steps.length - 1) issue(['workflows', i, 'steps', j], 'action-plan must be the last step');
      });
      if (w.steps.at(-1)?.step !== 'action-plan')
        issue(['workflows', i, 'steps'], `the ${w.stage} workflow must end with the action-plan step`);
    });
  });

/** A workflow's step: the library definition, named for this workflow. */
interface WorkflowStepDef {
  id: string;
  name: string;
  definition: StepDefinition;
}
export interface Workflow {
  stage: StageId;
  name: string;
  steps: WorkflowStepDef[];
}

/** Loads and validates a workflow configuration file (throws naming the bad entry). */
export function loadWorkflows(path: string | URL = new URL('../../../../config/workflows.json', import.meta.url)): Workflow[] {
  const parsed = WorkflowsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid workflow configuration:\n${lines.join('\n')}`);
  }
  return parsed.data.workflows.map((w) => ({
    stage: w.stage,
    name: w.name,
    steps: w.steps.map((s) => ({ id: s.step, name: s.name ?? stepLibrary[s.step]!.name, definition: stepLibrary[s.step]! })),
  }));
}

/** The workflow of a stage, in the workflow table (`deps.workflows`). */
export function workflowFor(stage: string, table: Workflow[]): Workflow {
  const w = table.find((x) => x.stage === stage);
  if (!w) throw new Error(`no workflow for stage ${stage}`);
  return w;
}
