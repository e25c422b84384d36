import { processorRegistry, type ProcessorRegistry } from '../../../processors/registry.ts';
import type { AiTask, Evidence } from './schema.ts';

/** Fields that hold free text someone typed (a customer's email, a colleague's note), not structured CRM facts. */
const FREE_TEXT_FIELDS = new Set(['Description', 'NextStep', 'Subject', 'Comments']);

const isFreeText = (e: Evidence) =>
  (e.type === 'activity' && (e.field === null || FREE_TEXT_FIELDS.has(e.field))) || (e.field !== null && FREE_TEXT_FIELDS.has(e.field));

/** The task rests only on free text from the CRM (an activity's description, the NextStep...): "suggested from CRM text". */
export function suggestedFromCrmText(task: Pick<AiTask, 'evidence'>): boolean {
  return task.evidence.length > 0 && task.evidence.every(isFreeText);
}

/**
 * Whether an AI task starts unticked and runs only when the CSM ticks it: a Salesforce field write (a processor that
 * writes fields) the model proposed, or one that rests only on CRM free text (whoever proposed it). Finalize without
 * an explicit `include: true` drops it.
 */
export function needsApproval(
  task: Pick<AiTask, 'processor' | 'evidence'>,
  planner: string,
  registry: ProcessorRegistry = processorRegistry,
): boolean {
  return registry.get(task.processor)?.writesFields === true && (planner === 'llm' || suggestedFromCrmText(task));
}
