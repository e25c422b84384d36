import { z } from 'zod';
import type { StepAction, StepDefinition } from '../types.ts';
import { plural } from '../../../words.ts';

const ObjectionLogInput = z
  .object({
    objections: z
      .array(
        z.object({
          topic: z.enum(['price', 'value', 'scope', 'legal', 'competitor', 'timing', 'other']).describe('What the objection is about'),
          detail: z.string().trim().min(1, 'must not be empty').max(500),
          status: z.enum(['open', 'answered', 'resolved']),
        }),
      )
      .max(20)
      .describe('Objections raised by the customer'),
  })
  .strict();

const Output = z.object({ objections: ObjectionLogInput.shape.objections, open: z.number().int() });

/** The customer's objections and where each stands; open price objections drive the negotiation plan. */
export const objectionLog: StepDefinition<z.infer<typeof ObjectionLogInput>, z.infer<typeof Output>> = {
  id: 'objection-log',
  name: 'Objections',
  type: 'input',
  description: 'The objections the customer raised, what each is about, and whether it is answered.',
  input: ObjectionLogInput,
  output: Output,
  analyze(_ctx, input) {
    if (!input) throw new Error('objection-log needs the CSM input');
    const open = input.objections.filter((o) => o.status !== 'resolved');
    const actions: StepAction[] = open.slice(0, 3).map((o) => ({
      topic: `objection:${o.topic}`,
      priority: o.topic === 'price' || o.topic === 'competitor' ? 1 : 2,
      title: `Resolve the ${o.topic} objection: ${o.detail}`.slice(0, 200),
      rationale: `Status: ${o.status}`,
      owner: 'CSM',
    }));
    return {
      output: { objections: input.objections, open: open.length },
      summary: `${plural(input.objections.length, 'objection')}, ${open.length} open`,
      decision: open.length ? `Resolve ${plural(open.length, 'open objection')} before terms are agreed` : null,
      findings: open.map((o) => ({
        severity: o.topic === 'price' || o.topic === 'competitor' ? 'critical' : 'concern',
        text: `Open ${o.topic} objection: ${o.detail}`,
      })),
      actions,
    };
  },
};
