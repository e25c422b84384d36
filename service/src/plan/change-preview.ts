import type { ChangePreview, FieldChange } from '../../../processors/port.ts';
import { processorRegistry, type ProcessorRegistry } from '../../../processors/registry.ts';
import type { CrmContext } from '../salesforce/context.ts';
import type { AiTask } from './schema.ts';

export type { FieldChange };

/** The change preview of an AI task from its processor, or undefined for an unknown processor or metadata it rejects. */
function previewOf(task: Pick<AiTask, 'processor' | 'metadata'>, ctx: CrmContext, registry: ProcessorRegistry): ChangePreview | undefined {
  const processor = registry.get(task.processor);
  const input = processor?.metadata.safeParse(task.metadata);
  return processor && input?.success ? processor.changePreview(input.data, ctx) : undefined;
}

/** In words, the Salesforce change an AI task will make, so the CSM approves it knowingly before finalize. */
export function describeChange(
  task: Pick<AiTask, 'processor' | 'metadata'>,
  ctx: CrmContext,
  registry: ProcessorRegistry = processorRegistry,
): string | null {
  return previewOf(task, ctx, registry)?.description ?? null;
}

/**
 * The exact Salesforce changes of an AI task, field by field, with the value the CRM holds now. Tasks that change
 * no Salesforce record (the workflow scheduler) have none; an unknown processor has none (validation rejects it).
 */
export function fieldChanges(
  task: Pick<AiTask, 'processor' | 'metadata'>,
  ctx: CrmContext,
  registry: ProcessorRegistry = processorRegistry,
): FieldChange[] {
  return previewOf(task, ctx, registry)?.fields ?? [];
}
