import { z } from 'zod';
import { readSignals } from '../../../plan/signals.ts';
import type { Finding, StepDefinition } from '../types.ts';
import { plural } from '../../../words.ts';

const Output = z.object({
  daysOverdue: z.number().int(),
  autoRenewed: z.boolean(),
  serviceAtRisk: z.boolean(),
  risk: z.enum(['low', 'medium', 'high']),
  reasons: z.array(z.string()),
});

/** After the renewal date: did the contract roll over, is service at risk, and how likely is churn. */
export const churnRisk: StepDefinition<null, z.infer<typeof Output>> = {
  id: 'churn-risk',
  name: 'Churn Risk',
  type: 'analysis',
  description: 'Days overdue, whether the contract auto-renewed, whether service is at risk, and the churn risk.',
  input: null,
  output: Output,
  analyze({ crm, today, daysToRenewal }) {
    const s = readSignals(crm, today);
    const daysOverdue = Math.max(0, -daysToRenewal);
    const autoRenewed = crm.contract?.autoRenewal === true;
    const reasons: string[] = [];
    if (!autoRenewed) reasons.push(crm.contract ? 'The contract does not auto-renew' : 'No contract terms: auto-renewal unknown');
    if (s.noRecentActivity)
      reasons.push(s.daysSinceLastActivity === undefined ? 'No activity logged' : `No activity for ${s.daysSinceLastActivity} days`);
    if (s.budgetPressure) reasons.push('Budget pressure');
    if (!s.economicBuyer) reasons.push('No economic buyer engaged');
    const risk = autoRenewed && reasons.length <= 1 ? 'low' : reasons.length >= 3 ? 'high' : 'medium';
    const findings: Finding[] = reasons.map((r) => ({ severity: risk === 'high' ? 'critical' : 'concern', text: r }));
    return {
      output: { daysOverdue, autoRenewed, serviceAtRisk: !autoRenewed, risk, reasons },
      summary: `${plural(daysOverdue, 'day')} overdue; ${autoRenewed ? 'auto-renewed' : 'not renewed'}; churn risk ${risk}`,
      decision: autoRenewed ? 'Confirm the rolled-over terms in writing' : 'Recover the renewal or agree an extension now',
      findings,
      actions: [
        {
          topic: 'recovery',
          priority: 1,
          title: autoRenewed ? 'Confirm the renewed terms with the customer' : 'Recovery call with the customer today',
          rationale: `${daysOverdue} days overdue`,
          owner: 'CSM',
        },
        ...(!autoRenewed
          ? [
              {
                topic: 'extension',
                priority: 1,
                title: 'Agree an extension or a churn plan',
                rationale: 'Service continuity is at risk',
                owner: 'CSM' as const,
              },
            ]
          : []),
      ],
    };
  },
};
