import { z } from 'zod';
import { StepAction, type StepDefinition } from '../types.ts';
import { plural } from '../../../words.ts';

const MAX = 6;
const Output = z.object({
  recommendations: z
    .array(StepAction.extend({ sourceStep: z.string().max(100) }))
    .min(1)
    .max(MAX),
});
type Recommendations = z.infer<typeof Output>;

/**
 * Prioritized, actionable recommendations: what every earlier step said should be done, one per topic (the most
 * urgent wins), ranked by priority then step order, at most six. A configured model may word and rank them
 * instead, under the same schema; the rules are the fallback.
 */
export const recommendations: StepDefinition<null, Recommendations> = {
  id: 'recommendations',
  name: 'Recommendations',
  type: 'review',
  description: 'Prioritized, actionable recommendations from what the earlier steps found.',
  input: null,
  output: Output,
  model: {
    instructions:
      'You review the findings and proposed actions of a renewal workflow. Return at most six recommendations, most urgent first. ' +
      'Keep each action concrete (who, what, by when). Use only facts present in the input; keep topic and sourceStep from the input actions.',
    // A recommendation cites the step it came from: only a step that ran before this one (or this step itself).
    ground: (output, { previous }) =>
      output.recommendations
        .filter((r) => r.sourceStep !== 'recommendations' && !Object.hasOwn(previous, r.sourceStep))
        .map((r) => `sourceStep "${r.sourceStep}" of "${r.title}" is not a step that ran before the recommendations`),
  },
  analyze({ previous, stage }) {
    const byTopic = new Map<string, Recommendations['recommendations'][number]>();
    for (const [sourceStep, result] of Object.entries(previous)) {
      for (const a of result.actions) {
        const seen = byTopic.get(a.topic);
        if (!seen || a.priority < seen.priority) byTopic.set(a.topic, { ...a, sourceStep });
      }
    }
    let list = [...byTopic.values()].sort((a, b) => a.priority - b.priority).slice(0, MAX);
    if (list.length === 0)
      list = [
        {
          topic: 'playbook',
          priority: 3,
          title: `Follow the ${stage.name} playbook: ${stage.focus[0]}`,
          rationale: 'No step raised an issue',
          owner: 'CSM',
          sourceStep: 'recommendations',
        },
      ];
    const top = list[0]!;
    return {
      output: { recommendations: list },
      summary: `${plural(list.length, 'actionable recommendation')}; first: ${top.title}`,
      decision: top.priority === 1 ? `${top.title} is the highest priority` : null,
      findings: [],
      actions: [],
    };
  },
};
