import type { Grader } from './grader.ts';

/** No AI task uses a processor outside the stage's allow-list (config/stages.json's `processors` of the stage). */
export const processorsGrader: Grader = {
  name: 'processors',
  checks: "no processor outside the stage's allow-list",
  grade({ plan, input }) {
    const allowed = new Set(input.stage.processors);
    return plan.aiTasks.flatMap((t, i) =>
      allowed.has(t.processor)
        ? []
        : [
            `aiTasks.${i} (${t.key}): processor ${t.processor} is not allowed in ${input.stage.name} (${[...allowed].join(', ') || 'none'})`,
          ],
    );
  },
};
