import { z } from 'zod';
import { addDays, daysBetween } from '../../../calendar/dates.ts';
import type { Finding, StepDefinition } from '../types.ts';
import { plural } from '../../../words.ts';

const Output = z.object({
  hasContractData: z.boolean(),
  renewalDate: z.string(),
  noticePeriodDays: z.number().nullable(),
  noticeDeadline: z.string().nullable(),
  daysToNoticeDeadline: z.number().nullable(),
  autoRenewal: z.boolean().nullable(),
  priceIncreaseCapPct: z.number().nullable(),
  proposedIncreasePct: z.number().nullable(),
  terminationTerms: z.string().nullable(),
  obstacles: z.array(z.string()),
  missing: z.array(z.string()),
});
type ContractAnalysis = z.infer<typeof Output>;

const pct = (from: number | null, to: number | null) => (from && to !== null ? Math.round(((to - from) / from) * 1000) / 10 : null);

/**
 * The contract terms from the package's Opportunity fields: the notice deadline (the last business day the
 * customer can still give notice), auto-renewal, the price-increase cap against the proposed amount, termination
 * terms, and the obstacles they raise. Missing terms are listed, never guessed.
 */
export const contractAnalysis: StepDefinition<null, ContractAnalysis> = {
  id: 'contract-analysis',
  name: 'Contract Analysis',
  type: 'analysis',
  description: 'Notice period and deadline, auto-renewal, price-increase cap, termination terms and obstacles.',
  input: null,
  output: Output,
  analyze({ crm, today, calendar }) {
    const c = crm.contract ?? null;
    const renewalDate = crm.opportunity.renewalDate;
    const noticeDeadline = c?.noticePeriodDays != null ? calendar.onOrBefore(addDays(renewalDate, -c.noticePeriodDays)) : null;
    const daysToNoticeDeadline = noticeDeadline ? daysBetween(today, noticeDeadline) : null;
    const proposedIncreasePct = pct(crm.opportunity.currentArr, crm.opportunity.amount);
    const missing = !c
      ? ['notice period', 'auto-renewal', 'price-increase cap', 'termination terms']
      : [
          c.noticePeriodDays == null && 'notice period',
          c.priceIncreaseCapPct == null && 'price-increase cap',
          c.terminationTerms == null && 'termination terms',
        ].filter((m): m is string => typeof m === 'string');
    const obstacles: Finding[] = [];
    const overdue = daysBetween(today, renewalDate) < 0;
    if (!c)
      obstacles.push({
        severity: 'concern',
        text: 'No contract terms on the opportunity: notice period, auto-renewal and price cap are unknown',
      });
    if (noticeDeadline && daysToNoticeDeadline !== null) {
      if (daysToNoticeDeadline < 0)
        obstacles.push({
          severity: c?.autoRenewal ? 'concern' : 'critical',
          text: c?.autoRenewal
            ? `The notice deadline (${noticeDeadline}) has passed: the contract renews automatically on its current terms`
            : `The notice deadline (${noticeDeadline}) has passed${overdue ? ' and the renewal date too' : ''}: there is no auto-renewal to fall back on`,
        });
      else
        obstacles.push({
          severity: daysToNoticeDeadline <= 30 ? 'critical' : 'concern',
          text: `The customer can give notice until ${noticeDeadline} (${daysToNoticeDeadline} days)${c?.autoRenewal ? '; after that the contract renews automatically' : ''}`,
        });
    }
    if (c && c.autoRenewal === false && !overdue)
      obstacles.push({ severity: 'critical', text: `No auto-renewal: a signed renewal is needed before ${renewalDate}` });
    if (c?.priceIncreaseCapPct != null && proposedIncreasePct !== null) {
      if (proposedIncreasePct > c.priceIncreaseCapPct)
        obstacles.push({
          severity: 'critical',
          text: `The proposed increase (${proposedIncreasePct}%) exceeds the ${c.priceIncreaseCapPct}% cap: it needs the customer's written consent or new scope`,
        });
      else if (c.priceIncreaseCapPct - proposedIncreasePct < 1 && proposedIncreasePct > 0)
        obstacles.push({
          severity: 'concern',
          text: `The proposed increase (${proposedIncreasePct}%) is close to the ${c.priceIncreaseCapPct}% cap`,
        });
    }
    const critical = obstacles.filter((o) => o.severity === 'critical').length;
    return {
      output: {
        hasContractData: c !== null,
        renewalDate,
        noticePeriodDays: c?.noticePeriodDays ?? null,
        noticeDeadline,
        daysToNoticeDeadline,
        autoRenewal: c?.autoRenewal ?? null,
        priceIncreaseCapPct: c?.priceIncreaseCapPct ?? null,
        proposedIncreasePct,
        terminationTerms: c?.terminationTerms ?? null,
        obstacles: obstacles.map((o) => o.text),
        missing,
      },
      summary: c
        ? `${c.autoRenewal ? 'Auto-renews' : 'No auto-renewal'}; notice ${c.noticePeriodDays ?? '?'} days${noticeDeadline ? ` (deadline ${noticeDeadline})` : ''}; cap ${c.priceIncreaseCapPct ?? '?'}%; ${plural(critical, 'critical obstacle')}`
        : 'No contract data on the opportunity',
      decision: !c
        ? 'Collect the contract terms before pricing'
        : critical
          ? 'Resolve the critical contract obstacles before the renewal is priced'
          : null,
      findings: obstacles,
      actions: [
        ...(!c
          ? [
              {
                topic: 'contract-data',
                priority: 3,
                title: 'Record the contract terms on the opportunity',
                rationale: `Missing: ${missing.join(', ')}`,
                owner: 'CSM' as const,
              },
            ]
          : []),
        ...(noticeDeadline && daysToNoticeDeadline !== null && daysToNoticeDeadline >= 0
          ? [
              {
                topic: 'contract-deadline',
                priority: daysToNoticeDeadline <= 30 ? 1 : 2,
                title: `Secure the renewal commitment before the notice deadline (${noticeDeadline})`,
                rationale: `${c?.noticePeriodDays} days' notice before ${renewalDate}`,
                owner: 'CSM' as const,
              },
            ]
          : []),
        ...(c?.priceIncreaseCapPct != null && proposedIncreasePct !== null && proposedIncreasePct > c.priceIncreaseCapPct
          ? [
              {
                topic: 'price-cap',
                priority: 1,
                title: `Bring the proposal within the ${c.priceIncreaseCapPct}% cap or scope the rest as new`,
                rationale: `Proposed +${proposedIncreasePct}%`,
                owner: 'CSM' as const,
              },
            ]
          : []),
      ],
    };
  },
};
