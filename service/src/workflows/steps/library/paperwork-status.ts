import { z } from 'zod';
import type { StepAction, StepDefinition } from '../types.ts';
import { plural } from '../../../words.ts';

const PaperworkStatusInput = z
  .object({
    signerName: z.string().trim().min(1, 'must name the signer').max(120).describe('Who signs for the customer'),
    paperworkStatus: z
      .enum(['not_sent', 'sent', 'in_legal_review', 'in_procurement', 'out_for_signature', 'signed'])
      .describe('Where the order form is'),
    blockers: z.array(z.string().trim().min(1).max(300)).max(10).describe('What stands in the way'),
  })
  .strict();

const Output = PaperworkStatusInput.extend({ daysToRenewal: z.number(), onTrack: z.boolean() });

/** Signer and paperwork tracking: who signs, where the order form is, and whether it can be signed in time. */
export const paperworkStatus: StepDefinition<z.infer<typeof PaperworkStatusInput>, z.infer<typeof Output>> = {
  id: 'paperwork-status',
  name: 'Signer and Paperwork',
  type: 'input',
  description: 'Who signs, where the order form is (sent, legal, procurement, out for signature, signed), and the blockers.',
  input: PaperworkStatusInput,
  output: Output,
  analyze({ daysToRenewal }, input) {
    if (!input) throw new Error('paperwork-status needs the CSM input');
    const signed = input.paperworkStatus === 'signed';
    const onTrack = signed || (input.blockers.length === 0 && (input.paperworkStatus !== 'not_sent' || daysToRenewal > 30));
    const actions: StepAction[] = signed
      ? []
      : [
          {
            topic: 'paperwork',
            priority: daysToRenewal <= 14 ? 1 : 2,
            title:
              input.paperworkStatus === 'not_sent'
                ? `Send the order form to ${input.signerName}`
                : `Chase the order form (${input.paperworkStatus.replaceAll('_', ' ')})`,
            rationale: `${daysToRenewal} days to renewal`,
            owner: 'CSM',
          },
          ...input.blockers.slice(0, 2).map((b, i) => ({
            topic: `blocker:${i}`,
            priority: 1,
            title: `Remove blocker: ${b}`.slice(0, 200),
            rationale: 'Blocks the signature',
            owner: 'CSM' as const,
          })),
        ];
    return {
      output: { ...input, daysToRenewal, onTrack },
      summary: `${input.signerName} signs; paperwork ${input.paperworkStatus.replaceAll('_', ' ')}${input.blockers.length ? `; ${plural(input.blockers.length, 'blocker')}` : ''}`,
      decision: signed ? 'Signed: confirm the renewal in the CRM' : onTrack ? null : 'The signature is at risk: escalate the blockers',
      findings: input.blockers.map((b) => ({ severity: 'critical', text: `Blocker: ${b}` })),
      actions,
    };
  },
};
