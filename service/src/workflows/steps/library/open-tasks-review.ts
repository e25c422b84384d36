import { z } from 'zod';
import type { StepDefinition } from '../types.ts';
import { plural } from '../../../words.ts';

const Output = z.object({
  carriedOver: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      owner: z.string(),
      status: z.string(),
      dueDate: z.string().nullable(),
      stage: z.string(),
      overdue: z.boolean(),
    }),
  ),
  overdue: z.number().int(),
});

/** The previous stage's unfinished tasks, carried into this workflow so nothing is dropped at the transition. */
export const openTasksReview: StepDefinition<null, z.infer<typeof Output>> = {
  id: 'open-tasks-review',
  name: 'Carried-over Tasks',
  type: 'review',
  description: "The previous stage's unfinished tasks, still open in this stage.",
  input: null,
  output: Output,
  analyze({ openTasks, today }) {
    const carriedOver = openTasks.map((t) => ({
      id: t.id,
      action: t.action,
      owner: t.owner,
      status: t.status,
      dueDate: t.dueDate,
      stage: t.stage,
      overdue: !!t.dueDate && t.dueDate < today,
    }));
    const overdue = carriedOver.filter((t) => t.overdue).length;
    return {
      output: { carriedOver, overdue },
      summary: carriedOver.length
        ? `${plural(carriedOver.length, 'open task')} carried over${overdue ? `, ${overdue} overdue` : ''}`
        : 'No open tasks carried over',
      decision: overdue ? 'Close the overdue carried-over tasks first' : null,
      findings: overdue
        ? [{ severity: 'concern', text: `${plural(overdue, 'carried-over task')} ${overdue === 1 ? 'is' : 'are'} overdue` }]
        : [],
      actions: overdue
        ? [
            {
              topic: 'carried-tasks',
              priority: 2,
              title: `Close ${plural(overdue, 'overdue task')} from the previous stage`,
              rationale: carriedOver
                .filter((t) => t.overdue)
                .map((t) => t.action)
                .join('; ')
                .slice(0, 300),
              owner: 'CSM',
            },
          ]
        : [],
    };
  },
};
