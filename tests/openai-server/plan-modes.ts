import { MUTATIONS } from '../../service/src/eval/mutations.ts';
import type { ScenarioExpectations } from '../../service/src/eval/scenario.ts';
import { ModelMasking } from '../../service/src/plan/masking.ts';
import type { PlanningInput } from '../../service/src/plan/planner.ts';
import { playbookPlan } from '../../service/src/plan/playbook.ts';
import { validatePlan } from '../../service/src/plan/validate.ts';
import type { ScriptedReply } from './server.ts';

/** "good": a valid plan built from the context; any other mode is a grader's name: the good plan broken in its way. */
export type PlanMode = 'good' | keyof typeof MUTATIONS;

/**
 * The stand-in model of the local OpenAI-compatible test server for evaluation runs (not a model): it answers from the
 * planning input of the scenario being planned (the same context the prompt was built from), as a model that saw only
 * the prompt would: with placeholders where the context's names and emails were when the request was masked. `current` names that input.
 */
export function planModel(mode: PlanMode, current: () => { input: PlanningInput; expect: ScenarioExpectations }): ScriptedReply {
  return (request) => {
    const { input, expect } = current();
    const good = validatePlan(playbookPlan(input), input).content!;
    // A model cites only what it was shown: the prompt carries the most recent activities, the playbook reads them all.
    const prompt = JSON.stringify(request.messages);
    for (const t of [...good.aiTasks, ...good.csmTasks]) {
      t.evidence = t.evidence.filter((e) => prompt.includes(e.id));
      if (t.evidence.length === 0) t.evidence = [{ type: 'opportunity', id: input.context.opportunity.id, field: null }];
    }
    good.summary.keyDecisions = [`Model: ${good.summary.keyDecisions[0] ?? 'follow the stage playbook'}`.slice(0, 500)];
    const plan = mode === 'good' ? good : (MUTATIONS[mode]!(structuredClone(good), input, expect) ?? good);
    // A model writes the names it was shown: placeholders when the request was masked.
    const masked = /\[(?:CONTACT|USER|EMAIL|PHONE)_\d+\]/.test(prompt);
    return { content: masked ? new ModelMasking(input.context).mask(JSON.stringify(plan)) : JSON.stringify(plan) };
  };
}
