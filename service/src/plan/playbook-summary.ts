import { z } from 'zod';
import { withheldInput, withheldMessage } from '../salesforce/withheld.ts';
import type { PlanningInput } from './planner.ts';
import type { ActionPlanContent } from './schema.ts';
import type { RenewalSignals } from './signals.ts';
import { stepOutput, type StepFacts } from './step-facts.ts';

const money = (n: number | null) => (n === null ? 'unknown' : `$${Math.round(n).toLocaleString('en-US')}`);
/** A money field of the context, or that the CSM cannot see it (never "unknown" for a value that exists). */
const moneyOf = (ctx: PlanningInput['context'], field: string, n: number | null) => {
  const hidden = withheldInput(ctx, field);
  return hidden ? withheldMessage(hidden) : money(n);
};

/** The plan's "process completed": each workflow step done or not (and why), or the CRM read when there are no steps. */
function completedStepsOf(input: PlanningInput, steps: StepFacts[]): ActionPlanContent['summary']['completedSteps'] {
  const { context: ctx, stage, daysToRenewal } = input;
  if (steps.length === 0)
    return [
      {
        name: 'CRM context',
        status: 'done',
        output: `${ctx.opportunity.name}: ${ctx.contactRoles.length} contact roles, ${ctx.activities.length} recent activities`,
        decision: null,
      },
      {
        name: 'Renewal stage',
        status: 'done',
        output: `${stage.name}: ${daysToRenewal} days to renewal`,
        decision: `Urgency ${stage.urgency}`,
      },
    ];
  return steps.map((x) =>
    x.status === 'done'
      ? { name: x.name, status: 'done' as const, output: (x.summary ?? 'Done').slice(0, 1000), decision: x.decision?.slice(0, 500) ?? null }
      : {
          name: x.name,
          status: 'not_done' as const,
          output:
            x.status === 'skipped'
              ? `Skipped: ${x.skipReason ?? 'no reason given'}`
              : x.waitingForInput
                ? "Waiting for the CSM's input: this plan does not reflect it yet"
                : 'Not run yet',
          decision: null,
        },
  );
}

/** The plan's process summary: the steps as they stand, the key decisions (each once) and the key metrics. */
export function summaryOf(input: PlanningInput, s: RenewalSignals, steps: StepFacts[]): ActionPlanContent['summary'] {
  const { context: ctx, stage, daysToRenewal } = input;
  // Each decision once: a step may already have decided what a CRM signal would say (both name the economic buyer).
  const keyDecisions: string[] = [];
  const gist = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z ]/g, '')
      .split(' ')
      .filter((w) => w.length > 3)
      .slice(0, 3)
      .join(' ');
  const decide = (text: string) => {
    if (!keyDecisions.some((d) => gist(d.slice(d.indexOf(': ') + 2)) === gist(text) || gist(d) === gist(text))) keyDecisions.push(text);
  };
  for (const x of steps) if (x.status === 'done' && x.decision) decide(`${x.name}: ${x.decision}`.slice(0, 500));
  if (!s.economicBuyer) decide('Engaging the economic buyer is the highest priority: no finance contact is on the opportunity.');
  if (s.primaryChange) decide(`The primary contact changes to ${s.primaryChange.to.contact.name}; Salesforce is updated automatically.`);
  if (s.budgetPressure) decide('Budget pressure is noted: the value case must be documented before pricing.');
  if (s.noRecentActivity) decide('The account has gone quiet: re-engagement comes first.');
  if (keyDecisions.length === 0) decide(`Follow the ${stage.name} playbook: ${stage.focus[0]}.`);
  const metrics: ActionPlanContent['summary']['keyMetrics'] = [
    { label: 'Current ARR', value: moneyOf(ctx, 'Opportunity.Current_ARR__c', ctx.opportunity.currentArr), detail: null },
    {
      label: 'Renewal target',
      value: moneyOf(ctx, 'Opportunity.Amount', ctx.opportunity.amount),
      detail: s.priceIncreasePct === undefined ? null : `${s.priceIncreasePct >= 0 ? '+' : ''}${s.priceIncreasePct}% vs current ARR`,
    },
    {
      label: 'Days to renewal',
      value: String(daysToRenewal),
      detail: `Renewal on ${ctx.opportunity.renewalDate} (${stage.name}, ${stage.urgency} urgency)`,
    },
    {
      label: 'Stakeholders',
      value: String(ctx.contactRoles.length),
      detail: s.economicBuyer ? `Economic buyer: ${s.economicBuyer.contact.name}` : 'No economic buyer engaged',
    },
    {
      label: 'Last activity',
      value: s.daysSinceLastActivity === undefined ? 'none' : `${s.daysSinceLastActivity} days ago`,
      detail: s.lastActivity?.subject?.slice(0, 300) ?? null,
    },
  ];
  const target = stepOutput(steps, 'pricing-strategy', 'targetPrice', z.number());
  if (target !== undefined) {
    const pct = stepOutput(steps, 'pricing-strategy', 'targetIncreasePct', z.number());
    const cap = stepOutput(steps, 'pricing-strategy', 'priceIncreaseCapPct', z.number());
    metrics.splice(2, 0, {
      label: 'Pricing target',
      value: money(target),
      detail: `${pct !== undefined && pct >= 0 ? '+' : ''}${pct ?? '?'}%${cap !== undefined ? ` (cap ${cap}%)` : ''}`,
    });
  }
  const deadline = stepOutput(steps, 'contract-analysis', 'noticeDeadline', z.string());
  if (deadline)
    metrics.push({
      label: 'Notice deadline',
      value: deadline,
      detail: stepOutput(steps, 'contract-analysis', 'autoRenewal', z.boolean()) ? 'Auto-renews after it' : 'No auto-renewal',
    });
  const confidence = stepOutput(steps, 'csm-assessment', 'confidence', z.number());
  if (confidence !== undefined)
    metrics.push({
      label: 'CSM confidence',
      value: `${confidence}/10`,
      detail: `Relationship ${stepOutput(steps, 'csm-assessment', 'relationshipStrength', z.number()) ?? '?'}/10`,
    });
  return {
    completedSteps: completedStepsOf(input, steps).slice(0, 20),
    keyDecisions: keyDecisions.slice(0, 10),
    keyMetrics: metrics.slice(0, 12),
  };
}
