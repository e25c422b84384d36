import { z } from 'zod';
import { readSignals } from '../../../plan/signals.ts';
import { withheldInput, withheldMessage } from '../../../salesforce/withheld.ts';
import type { Finding, StepDefinition } from '../types.ts';
import { growthSignals, usageSignals } from './usage.ts';

const Output = z.object({
  currentArr: z.number().nullable(),
  proposedAmount: z.number().nullable(),
  proposedIncreasePct: z.number().nullable(),
  priceIncreaseCapPct: z.number().nullable(),
  capPrice: z.number().nullable(),
  usagePct: z.number().nullable(),
  usageEvidence: z.string().nullable(),
  budgetPressure: z.boolean(),
  targetPrice: z.number().nullable(),
  targetIncreasePct: z.number().nullable(),
  position: z.enum(['increase', 'hold', 'defend', 'unknown']),
  rationale: z.array(z.string()),
});
type PricingStrategy = z.infer<typeof Output>;

const money = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * A target price from the current ARR, the proposed amount, the contract's cap, usage and budget signals: an
 * increase when usage supports it (never above the cap), holding flat under weak usage or budget pressure.
 */
export const pricingStrategy: StepDefinition<null, PricingStrategy> = {
  id: 'pricing-strategy',
  name: 'Pricing Strategy',
  type: 'analysis',
  description: 'Current ARR, usage and health signals, the contract cap, and a target price and increase.',
  input: null,
  output: Output,
  analyze({ crm, today }) {
    const { currentArr, amount } = crm.opportunity;
    const cap = crm.contract?.priceIncreaseCapPct ?? null;
    const usage = usageSignals(crm)[0];
    const growth = growthSignals(crm)[0];
    const budget = readSignals(crm, today).budgetPressure;
    const rationale: string[] = [];
    const findings: Finding[] = [];
    // Priced only on what the CSM may read: a hidden ARR or amount is said, not worked around (no target from the ARR alone).
    const hidden = withheldInput(crm, 'Opportunity.Current_ARR__c') ?? (currentArr ? withheldInput(crm, 'Opportunity.Amount') : undefined);
    // Not priceable here (a hidden input, or no ARR): the signals are still reported, the price is not guessed.
    const unpriced = (reason: string, summary: string, decision: string, finding: string) => ({
      output: {
        currentArr,
        proposedAmount: amount,
        proposedIncreasePct: null,
        priceIncreaseCapPct: cap,
        capPrice: null,
        usagePct: usage?.percent ?? null,
        usageEvidence: usage?.text ?? null,
        budgetPressure: !!budget,
        targetPrice: null,
        targetIncreasePct: null,
        position: 'unknown' as const,
        rationale: [`${reason}: the increase cannot be computed`],
      },
      summary,
      decision,
      findings: [{ severity: 'concern' as const, text: finding }],
    });
    if (hidden) {
      const why = withheldMessage(hidden);
      return unpriced(
        why,
        `${why}: pricing cannot be computed here`,
        'Price this renewal with someone who can see its amounts in Salesforce',
        why,
      );
    }
    if (!currentArr)
      return unpriced(
        'No current ARR on the opportunity',
        'No current ARR: pricing cannot be computed',
        'Record the current ARR (Current_ARR__c) before pricing',
        'Current ARR is missing on the opportunity',
      );
    const proposedIncreasePct = amount !== null ? round1(((amount - currentArr) / currentArr) * 100) : null;
    const capPrice = cap !== null ? Math.round(currentArr * (1 + cap / 100)) : null;
    if (usage) rationale.push(`Usage: ${usage.text}`);
    if (growth) rationale.push(`Growth: +${growth.percent}% mentioned in recent activity`);
    if (budget) rationale.push('Budget pressure noted in recent activity');
    const strongUsage = (usage?.percent ?? 0) >= 75 || !!growth;
    const weakUsage = usage !== undefined && usage.percent < 50;
    let target = amount ?? currentArr;
    let position: PricingStrategy['position'];
    if (weakUsage) {
      target = currentArr;
      position = 'defend';
      rationale.push(`Adoption is low (${usage!.percent}%): defend the current price rather than raise it`);
      findings.push({ severity: 'critical', text: `Low adoption (${usage!.percent}%) puts the renewal at risk` });
    } else if (target <= currentArr) {
      position = 'hold';
      rationale.push('The proposal keeps the price flat');
    } else {
      position = 'increase';
      if (!strongUsage) rationale.push('No usage evidence supports the increase yet: gather it before the proposal');
    }
    if (capPrice !== null && target > capPrice) {
      rationale.push(
        `The proposed ${money(amount!)} exceeds the ${cap}% cap (${money(capPrice)}): target the cap, price anything beyond as new scope`,
      );
      findings.push({ severity: 'critical', text: `Proposed price is above the contractual ${cap}% cap` });
      target = capPrice;
    }
    if (budget && position === 'increase')
      findings.push({ severity: 'concern', text: 'Budget pressure: expect push-back on any increase' });
    if (strongUsage)
      findings.push({
        severity: 'strength',
        text: usage ? `Strong adoption (${usage.percent}%) supports the price` : `Growth (+${growth!.percent}%) supports the price`,
      });
    const targetIncreasePct = round1(((target - currentArr) / currentArr) * 100);
    return {
      output: {
        currentArr,
        proposedAmount: amount,
        proposedIncreasePct,
        priceIncreaseCapPct: cap,
        capPrice,
        usagePct: usage?.percent ?? null,
        usageEvidence: usage?.text ?? null,
        budgetPressure: !!budget,
        targetPrice: target,
        targetIncreasePct,
        position,
        rationale,
      },
      summary: `${money(target)} target (${targetIncreasePct >= 0 ? '+' : ''}${targetIncreasePct}% on ${money(currentArr)} ARR)${cap !== null ? `, cap ${cap}%` : ''}`,
      decision:
        position === 'increase'
          ? `Propose ${money(target)} backed by the value delivered`
          : position === 'defend'
            ? 'Defend the current price with an adoption plan'
            : `Renew flat at ${money(target)}`,
      findings,
      actions:
        position === 'defend'
          ? [
              {
                topic: 'adoption',
                priority: 1,
                title: 'Run an adoption plan before the price is discussed',
                rationale: `Adoption is ${usage?.percent}%`,
                owner: 'CSM',
              },
            ]
          : position === 'increase'
            ? [
                {
                  topic: 'value-case',
                  priority: budget ? 1 : 2,
                  title: `Document the value delivered to support ${money(target)}`,
                  rationale: rationale.join('; '),
                  owner: 'CSM',
                },
              ]
            : [],
    };
  },
};
