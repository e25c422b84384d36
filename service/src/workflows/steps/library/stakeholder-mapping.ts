import { z } from 'zod';
import { daysBetween } from '../../../calendar/dates.ts';
import { readSignals } from '../../../plan/signals.ts';
import type { Finding, StepDefinition } from '../types.ts';
import { idKey } from '../../../salesforce/ids.ts';
import { plural } from '../../../words.ts';

const ENGAGED_DAYS = 45;
const CHAMPION = /champion|executive sponsor/i;

const Stakeholder = z.object({
  contactId: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  role: z.string().nullable(),
  isPrimary: z.boolean(),
  lastActivityDate: z.string().nullable(),
  engagement: z.enum(['engaged', 'quiet', 'none']),
});
const Output = z.object({
  stakeholders: z.array(Stakeholder),
  economicBuyer: z.object({ present: z.boolean(), contactId: z.string().nullable(), name: z.string().nullable() }),
  champion: z.object({ present: z.boolean(), contactId: z.string().nullable(), name: z.string().nullable() }),
  primaryChange: z.object({ from: z.string().nullable(), to: z.string() }).nullable(),
  gaps: z.array(z.string()),
});
type StakeholderMap = z.infer<typeof Output>;

/**
 * Who is on the renewal: every contact role with how recently we engaged them, whether an economic buyer and a
 * champion are present, and a primary contact that is changing.
 */
export const stakeholderMapping: StepDefinition<null, StakeholderMap> = {
  id: 'stakeholder-mapping',
  name: 'Stakeholder Mapping',
  type: 'analysis',
  description: 'Contact roles, the economic buyer and champion present or missing, and engagement from recent activity.',
  input: null,
  output: Output,
  analyze({ crm, today }) {
    const s = readSignals(crm, today);
    const past = crm.activities.filter((a) => a.date && a.date <= today && (a.kind === 'Event' || a.isClosed));
    const stakeholders = crm.contactRoles.map((r) => {
      const last =
        past
          .filter((a) => (a.whoId ? idKey(a.whoId) : undefined) === idKey(r.contactId))
          .map((a) => a.date!)
          .sort()
          .at(-1) ?? null;
      const engagement = last === null ? 'none' : daysBetween(last, today) <= ENGAGED_DAYS ? 'engaged' : 'quiet';
      return {
        contactId: r.contactId,
        name: r.contact.name,
        title: r.contact.title,
        role: r.role,
        isPrimary: r.isPrimary,
        lastActivityDate: last,
        engagement,
      } as const;
    });
    const champion = crm.contactRoles.find((r) => CHAMPION.test(r.role ?? ''));
    const eb = s.economicBuyer;
    const gaps: string[] = [];
    const findings: Finding[] = [];
    if (crm.contactRoles.length === 0) {
      gaps.push('No contact roles on the opportunity');
      findings.push({ severity: 'critical', text: 'No stakeholders are mapped on the opportunity' });
    }
    if (!eb) {
      gaps.push('No economic buyer');
      findings.push({ severity: 'critical', text: 'Economic buyer (CFO) not engaged: no finance contact on the opportunity' });
    } else findings.push({ severity: 'strength', text: `Economic buyer present: ${eb.contact.name}` });
    if (!champion) {
      gaps.push('No champion');
      if (crm.contactRoles.length) findings.push({ severity: 'concern', text: 'No champion is named among the contact roles' });
    } else findings.push({ severity: 'strength', text: `Champion: ${champion.contact.name}` });
    if (s.primaryChange) findings.push({ severity: 'concern', text: `Primary contact changing to ${s.primaryChange.to.contact.name}` });
    const engaged = stakeholders.filter((x) => x.engagement === 'engaged');
    if (engaged.length)
      findings.push({ severity: 'strength', text: `Engaged in the last ${ENGAGED_DAYS} days: ${engaged.map((x) => x.name).join(', ')}` });
    const silent = stakeholders.filter(
      (x) => x.engagement !== 'engaged' && (x.isPrimary || x === stakeholders.find((y) => y.contactId === eb?.contactId)),
    );
    for (const x of silent)
      findings.push({ severity: 'concern', text: `${x.name} (${x.role ?? 'no role'}) has not been engaged recently` });
    return {
      output: {
        stakeholders,
        economicBuyer: { present: !!eb, contactId: eb?.contactId ?? null, name: eb?.contact.name ?? null },
        champion: { present: !!champion, contactId: champion?.contactId ?? null, name: champion?.contact.name ?? null },
        primaryChange: s.primaryChange ? { from: s.primaryChange.from?.contact.name ?? null, to: s.primaryChange.to.contact.name } : null,
        gaps,
      },
      summary: `${plural(stakeholders.length, 'stakeholder')} mapped; economic buyer ${eb ? eb.contact.name : 'missing'}; champion ${champion ? champion.contact.name : 'missing'}`,
      decision: !eb
        ? 'Engaging the economic buyer is the highest priority'
        : gaps.length
          ? `Close the gap: ${gaps.join(', ').toLowerCase()}`
          : null,
      findings,
      actions: [
        ...(!eb
          ? [
              {
                topic: 'economic-buyer',
                priority: 1,
                title: 'Engage the economic buyer (CFO)',
                rationale: 'No finance contact on the opportunity',
                owner: 'CSM' as const,
              },
            ]
          : []),
        ...(s.primaryChange
          ? [
              {
                topic: 'primary-contact',
                priority: 2,
                title: `Meet ${s.primaryChange.to.contact.name} as the new primary contact`,
                rationale: 'The primary contact role changed',
                owner: 'CSM' as const,
              },
            ]
          : []),
        ...(!champion && crm.contactRoles.length
          ? [
              {
                topic: 'champion',
                priority: 3,
                title: `Develop a champion${engaged[0] ? ` (start with ${engaged[0].name})` : ''}`,
                rationale: 'No contact role is a champion',
                owner: 'CSM' as const,
              },
            ]
          : []),
        ...(crm.contactRoles.length === 0
          ? [
              {
                topic: 'stakeholders',
                priority: 1,
                title: 'Add the decision makers as contact roles',
                rationale: 'No contact roles on the opportunity',
                owner: 'CSM' as const,
              },
            ]
          : []),
      ],
    };
  },
};
