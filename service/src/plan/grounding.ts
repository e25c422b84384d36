import type { PlanPrompt } from './prompt.ts';
import type { ActionPlanContent } from './schema.ts';
import { idKey } from '../salesforce/ids.ts';

/**
 * Grounding of a model's plan: every task cites at least one fact, and every cited id is one the prompt showed
 * the model (not merely one that exists in Salesforce: an id the model was never sent is a guess).
 */
export function groundingErrors(plan: ActionPlanContent, sent: PlanPrompt['sent']): string[] {
  const errors: string[] = [];
  const tasks = [
    ...plan.aiTasks.map((t, i) => ({ t, where: `aiTasks.${i} (${t.key})` })),
    ...plan.csmTasks.map((t, i) => ({ t, where: `csmTasks.${i} (${t.key})` })),
  ];
  for (const { t, where } of tasks) {
    if (t.evidence.length === 0) errors.push(`${where}: cites no evidence; cite the ids from <crm_data> the task rests on`);
    for (const e of t.evidence) {
      const ids = sent[e.type];
      const id15 = idKey(e.id);
      if (!ids.has(e.id) && ![...ids].some((x) => idKey(x) === id15 && (e.type === 'contact' || e.type === 'contactRole')))
        errors.push(`${where}: evidence ${e.type} ${e.id} was not in the data you were given`);
    }
  }
  return errors;
}
