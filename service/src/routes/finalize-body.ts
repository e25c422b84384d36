import { z } from 'zod';
import { IsoDate, Priority, TaskKey } from '../plan/schema.ts';

/** The finalize request (the routes' schema; `workflows/finalize-plan.ts` takes what it parses to). */
const TaskEdit = z
  .object({
    key: TaskKey,
    include: z.boolean().optional(),
    action: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    priority: Priority.optional(),
    dueDate: IsoDate.optional(),
  })
  .strict();
export const FinalizeBody = z
  .object({
    planId: z.uuid().optional(),
    edits: z.array(TaskEdit).max(100).optional(),
  })
  .strict();
export type FinalizeBody = z.infer<typeof FinalizeBody>;
