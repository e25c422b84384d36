import { z } from 'zod';
import type { Finding, StepDefinition } from '../types.ts';
import { plural } from '../../../words.ts';

const Score = z
  .number({ error: 'must be a number from 1 to 10' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(10, 'must be at most 10');

const CsmAssessmentInput = z
  .object({
    relationshipStrength: Score.describe('How strong is the relationship with the customer? (1–10)'),
    confidence: Score.describe('How confident are you the customer renews? (1–10)'),
    risks: z.array(z.string().trim().min(1, 'must not be empty').max(300)).max(10).describe('Risks you see'),
    notes: z.string().max(4000).describe('Anything else the plan should know'),
  })
  .strict();

const Output = z.object({
  relationshipStrength: z.number(),
  confidence: z.number(),
  risks: z.array(z.string()),
  notes: z.string(),
  outlook: z.enum(['strong', 'steady', 'at-risk']),
});

/** The CSM's own read of the renewal: scores, risks and notes. Waits for the CSM; there is nothing to infer. */
export const csmAssessment: StepDefinition<z.infer<typeof CsmAssessmentInput>, z.infer<typeof Output>> = {
  id: 'csm-assessment',
  name: 'CSM Assessment',
  type: 'input',
  description: 'Relationship strength and confidence (1–10), the risks you see, and notes.',
  input: CsmAssessmentInput,
  output: Output,
  analyze(_ctx, input) {
    if (!input) throw new Error('csm-assessment needs the CSM input');
    const low = Math.min(input.relationshipStrength, input.confidence);
    const outlook = low <= 4 ? 'at-risk' : low <= 6 || input.risks.length >= 3 ? 'steady' : 'strong';
    const findings: Finding[] = input.risks.map((r) => ({
      severity: outlook === 'at-risk' ? 'critical' : 'concern',
      text: `CSM risk: ${r}`,
    }));
    if (input.relationshipStrength >= 8)
      findings.push({ severity: 'strength', text: `Strong relationship (${input.relationshipStrength}/10)` });
    if (input.confidence <= 4) findings.push({ severity: 'critical', text: `Low renewal confidence (${input.confidence}/10)` });
    return {
      output: { ...input, outlook },
      summary: `${input.relationshipStrength}/10 relationship, ${input.confidence}/10 confidence${input.risks.length ? `; ${plural(input.risks.length, 'risk')} noted` : ''}`,
      decision: outlook === 'at-risk' ? 'Treat the renewal as at risk' : outlook === 'steady' ? 'Address the noted risks early' : null,
      findings,
      actions: [
        ...(outlook === 'at-risk'
          ? [
              {
                topic: 'at-risk',
                priority: 1,
                title: 'Agree a save plan with your manager',
                rationale: `The CSM rates the renewal at risk (${input.relationshipStrength}/10, ${input.confidence}/10)`,
                owner: 'CSM' as const,
              },
            ]
          : []),
        ...input.risks.slice(0, 3).map((r) => ({
          topic: `risk:${r.toLowerCase().slice(0, 40)}`,
          priority: 3,
          title: `Mitigate: ${r}`.slice(0, 200),
          rationale: 'Raised in the CSM assessment',
          owner: 'CSM' as const,
        })),
      ],
    };
  },
};
