import { z } from 'zod';
import type { Finding, StepDefinition } from '../types.ts';
import { growthSignals, usageSignals } from './usage.ts';
import { plural } from '../../../words.ts';

const Output = z.object({
  currentArr: z.number().nullable(),
  outcomes: z.array(z.object({ activityId: z.string(), text: z.string() })),
  usagePct: z.number().nullable(),
  growthPct: z.number().nullable(),
  ready: z.boolean(),
  missing: z.array(z.string()),
});

/** The evidence for the value case: usage, growth and outcomes the CRM records, and what is still missing. */
export const valueCase: StepDefinition<null, z.infer<typeof Output>> = {
  id: 'value-case',
  name: 'Value Case',
  type: 'analysis',
  description: 'Usage, growth and outcomes recorded in the CRM that back the renewal proposal, and the gaps.',
  input: null,
  output: Output,
  analyze({ crm }) {
    const usage = usageSignals(crm)[0];
    const growth = growthSignals(crm)[0];
    const outcomes = [...usageSignals(crm).map((u) => ({ activityId: u.activityId, text: u.text }))];
    const missing = [
      !usage && 'usage figures',
      !growth && 'growth or outcome figures',
      !crm.opportunity.currentArr && 'current ARR',
    ].filter((m): m is string => !!m);
    const findings: Finding[] = missing.map((m) => ({ severity: 'concern', text: `Value case lacks ${m}` }));
    if (usage) findings.push({ severity: 'strength', text: `Adoption ${usage.percent}%` });
    const ready = missing.length === 0;
    return {
      output: {
        currentArr: crm.opportunity.currentArr,
        outcomes,
        usagePct: usage?.percent ?? null,
        growthPct: growth?.percent ?? null,
        ready,
        missing,
      },
      summary: ready
        ? `Value case backed by ${plural(outcomes.length, 'recorded outcome')}`
        : `Value case incomplete: missing ${missing.join(', ')}`,
      decision: ready ? null : 'Gather the missing value evidence before the proposal',
      findings,
      actions: ready
        ? []
        : [
            {
              topic: 'value-case',
              priority: 2,
              title: `Gather ${missing.join(', ')} for the value case`,
              rationale: 'The proposal needs evidence',
              owner: 'CSM',
            },
          ],
    };
  },
};
