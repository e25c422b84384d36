import { z } from 'zod';
import { withheldInput, withheldMessage } from '../../../salesforce/withheld.ts';
import type { Finding, StepDefinition } from '../types.ts';

const Output = z.object({
  currentArr: z.number().nullable(),
  finalAmount: z.number().nullable(),
  increasePct: z.number().nullable(),
  priceIncreaseCapPct: z.number().nullable(),
  withinCap: z.boolean().nullable(),
  nextStep: z.string().nullable(),
  agreedInActivity: z.string().nullable(),
});

const AGREED = /accepts?|agreed|approved?/i;

/** Where the price stands for the negotiation: the amount on the table against ARR and the cap, and any agreement logged. */
export const pricingFinalization: StepDefinition<null, z.infer<typeof Output>> = {
  id: 'pricing-finalization',
  name: 'Pricing Finalization',
  type: 'analysis',
  description: 'The amount on the table against the current ARR and the contract cap, and the agreement logged so far.',
  input: null,
  output: Output,
  analyze({ crm }) {
    const { currentArr, amount, nextStep } = crm.opportunity;
    const cap = crm.contract?.priceIncreaseCapPct ?? null;
    const increasePct = currentArr && amount !== null ? Math.round(((amount - currentArr) / currentArr) * 1000) / 10 : null;
    const withinCap = cap !== null && increasePct !== null ? increasePct <= cap : null;
    const agreed = crm.activities.find((a) => a.isClosed && AGREED.test(a.description ?? ''));
    const findings: Finding[] = [];
    const hidden = withheldInput(crm, 'Opportunity.Amount');
    if (hidden) findings.push({ severity: 'concern', text: withheldMessage(hidden) });
    if (withinCap === false) findings.push({ severity: 'critical', text: `The amount (+${increasePct}%) is above the ${cap}% cap` });
    if (agreed) findings.push({ severity: 'strength', text: `Agreement logged: ${(agreed.description ?? '').slice(0, 160)}` });
    else findings.push({ severity: 'concern', text: 'No pricing agreement is logged yet' });
    return {
      output: {
        currentArr,
        finalAmount: amount,
        increasePct,
        priceIncreaseCapPct: cap,
        withinCap,
        nextStep,
        agreedInActivity: agreed?.id ?? null,
      },
      summary: `${amount !== null ? `$${amount.toLocaleString('en-US')}` : hidden ? withheldMessage(hidden) : 'No amount'}${increasePct !== null ? ` (${increasePct >= 0 ? '+' : ''}${increasePct}%)` : ''}${agreed ? ', agreed in principle' : ', not agreed yet'}`,
      decision: agreed ? 'Paper the agreed price' : 'Close the price before terms',
      findings,
      actions: agreed
        ? [
            {
              topic: 'paperwork',
              priority: 1,
              title: nextStep ?? 'Send the order form with the agreed price',
              rationale: 'Price agreed in principle',
              owner: 'CSM',
            },
          ]
        : [
            {
              topic: 'price-agreement',
              priority: 1,
              title: 'Agree the final price with the economic buyer',
              rationale: 'No agreement logged',
              owner: 'CSM',
            },
          ],
    };
  },
};
