import { z } from 'zod';
import { readSignals } from '../../../plan/signals.ts';
import type { Finding, StepDefinition } from '../types.ts';

const EXECUTIVE = /\b(ceo|cfo|coo|cio|cto|chief|president|vp|vice president|svp|evp|head of)\b/i;

const Output = z.object({
  daysToRenewal: z.number(),
  customerExecutives: z.array(z.object({ contactId: z.string(), name: z.string(), title: z.string().nullable() })),
  economicBuyer: z.string().nullable(),
  daysSinceLastActivity: z.number().nullable(),
  escalateTo: z.array(z.string()),
  extensionNeeded: z.boolean(),
});

/** Executive escalation: which customer executives to reach, who escalates on our side, and whether an extension is the fallback. */
export const escalationPath: StepDefinition<null, z.infer<typeof Output>> = {
  id: 'escalation-path',
  name: 'Executive Escalation',
  type: 'analysis',
  description: 'Customer executives to reach, our executive sponsor, and whether a short-term extension is needed as the fallback.',
  input: null,
  output: Output,
  analyze({ crm, today, daysToRenewal }) {
    const s = readSignals(crm, today);
    const execs = crm.contactRoles.filter((r) => EXECUTIVE.test(r.contact.title ?? '') || /economic|executive/i.test(r.role ?? ''));
    const autoRenews = crm.contract?.autoRenewal === true;
    const extensionNeeded = !autoRenews && daysToRenewal <= 14;
    const escalateTo = [
      'Our executive sponsor (VP Customer Success)',
      ...(execs.length ? execs.map((e) => e.contact.name) : ['The customer executive sponsor (to be identified)']),
    ];
    const findings: Finding[] = [
      {
        severity: 'critical',
        text: `${daysToRenewal < 0 ? `${-daysToRenewal} days past` : `${daysToRenewal} days to`} renewal without a signature`,
      },
    ];
    if (!execs.length) findings.push({ severity: 'critical', text: 'No customer executive is on the opportunity' });
    if (s.noRecentActivity)
      findings.push({
        severity: 'critical',
        text: s.daysSinceLastActivity === undefined ? 'No activity logged' : `No customer reply for ${s.daysSinceLastActivity} days`,
      });
    return {
      output: {
        daysToRenewal,
        customerExecutives: execs.map((e) => ({ contactId: e.contactId, name: e.contact.name, title: e.contact.title })),
        economicBuyer: s.economicBuyer?.contact.name ?? null,
        daysSinceLastActivity: s.daysSinceLastActivity ?? null,
        escalateTo,
        extensionNeeded,
      },
      summary: `Escalate to ${escalateTo.join(', ')}${extensionNeeded ? '; prepare an extension' : ''}`,
      decision: 'Executive-to-executive escalation now',
      findings,
      actions: [
        {
          topic: 'escalation',
          priority: 1,
          title: `Executive escalation call with ${execs[0]?.contact.name ?? 'the customer executive sponsor'}`,
          rationale: `${daysToRenewal} days to renewal`,
          owner: 'CSM',
        },
        ...(extensionNeeded
          ? [
              {
                topic: 'extension',
                priority: 1,
                title: 'Prepare a short-term extension as the fallback',
                rationale: 'No auto-renewal and the date is close',
                owner: 'CSM' as const,
              },
            ]
          : []),
      ],
    };
  },
};
