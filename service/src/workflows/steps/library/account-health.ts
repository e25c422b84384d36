import { z } from 'zod';
import { readSignals } from '../../../plan/signals.ts';
import type { Finding, StepAction, StepDefinition } from '../types.ts';
import { usageSignals } from './usage.ts';
import { plural } from '../../../words.ts';

const Output = z.object({
  score: z.number().int().min(0).max(100),
  level: z.enum(['healthy', 'watch', 'at-risk']),
  usagePct: z.number().nullable(),
  daysSinceLastActivity: z.number().nullable(),
  openOverdueTasks: z.number().int(),
  budgetPressure: z.boolean(),
  contactRoles: z.number().int(),
});

/** A health score from usage, activity recency, overdue tasks, budget pressure and stakeholder coverage. */
export const accountHealth: StepDefinition<null, z.infer<typeof Output>> = {
  id: 'account-health',
  name: 'Account Health',
  type: 'analysis',
  description: 'Usage, activity recency, overdue tasks, budget signals and stakeholder coverage as one health score.',
  input: null,
  output: Output,
  analyze({ crm, today }) {
    const s = readSignals(crm, today);
    const usage = usageSignals(crm)[0];
    let score = 70;
    const findings: Finding[] = [];
    const actions: StepAction[] = [];
    if (usage) score += usage.percent >= 75 ? 15 : usage.percent < 50 ? -25 : 0;
    if (s.noRecentActivity) {
      score -= 20;
      findings.push({
        severity: 'concern',
        text: s.daysSinceLastActivity === undefined ? 'No logged activity' : `Quiet for ${s.daysSinceLastActivity} days`,
      });
      actions.push({
        topic: 're-engage',
        priority: 2,
        title: 'Book a health check call',
        rationale: 'The account has gone quiet',
        owner: 'CSM',
      });
    }
    if (s.overdueTasks.length) {
      score -= 10;
      findings.push({ severity: 'concern', text: `${plural(s.overdueTasks.length, 'overdue task')}` });
    }
    if (s.budgetPressure) {
      score -= 10;
      findings.push({ severity: 'concern', text: 'Budget pressure mentioned in recent activity' });
    }
    if (crm.contactRoles.length === 0) {
      score -= 15;
      actions.push({
        topic: 'stakeholders',
        priority: 2,
        title: 'Add the decision makers as contact roles',
        rationale: 'No contact roles on the opportunity',
        owner: 'CSM',
      });
    }
    if (usage && usage.percent >= 75) findings.push({ severity: 'strength', text: `Adoption ${usage.percent}%` });
    score = Math.max(0, Math.min(100, score));
    const level = score >= 70 ? 'healthy' : score >= 50 ? 'watch' : 'at-risk';
    if (level === 'at-risk') findings.push({ severity: 'critical', text: `Health score ${score}/100` });
    return {
      output: {
        score,
        level,
        usagePct: usage?.percent ?? null,
        daysSinceLastActivity: s.daysSinceLastActivity ?? null,
        openOverdueTasks: s.overdueTasks.length,
        budgetPressure: !!s.budgetPressure,
        contactRoles: crm.contactRoles.length,
      },
      summary: `Health ${score}/100 (${level})`,
      decision: level === 'at-risk' ? 'Start recovery work before Discovery' : null,
      findings,
      actions,
    };
  },
};
