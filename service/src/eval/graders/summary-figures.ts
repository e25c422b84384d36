import type { PlanningInput } from '../../plan/planner.ts';
import type { Grader } from './grader.ts';

/** "$265,000", "$265k", "$1.2M", "USD 265,000". */
const MONEY = /(?:\$|USD\s?|US\$)\s?(\d[\d,]*(?:\.\d+)?)\s?([kKmM](?![a-z]))?/g;

const moneyOf = ([, digits, unit]: readonly (string | undefined)[]) =>
  Number(digits!.replace(/,/g, '')) * (unit ? (unit.toLowerCase() === 'k' ? 1e3 : 1e6) : 1);

/** The money figures a plan may state: the CRM's (amount, ARR, revenue) and any number the workflow steps gave it. */
function knownFigures(input: PlanningInput): number[] {
  const { opportunity, account } = input.context;
  const fromSteps: number[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'number') fromSteps.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const s of input.steps ?? []) visit(s.output);
  // A figure quoted from a note or an activity (a summary may quote the last activity's subject) is the CRM's too.
  const quoted = [input.context.opportunity.description, ...input.context.activities.flatMap((a) => [a.subject, a.description])]
    .filter((t): t is string => Boolean(t))
    .flatMap((t) => [...t.matchAll(MONEY)].map(moneyOf));
  return [opportunity.amount, opportunity.currentArr, account.annualRevenue, ...fromSteps, ...quoted].filter(
    (n): n is number => n !== null,
  );
}

/**
 * The summary's figures equal the CRM's: every money figure in the summary is one the CRM (or a workflow step) holds,
 * rounded as a writer would ($265k for 265,000); the metrics labelled days to renewal, stakeholders, ARR and the renewal
 * target state the CRM's own values.
 */
export const summaryFiguresGrader: Grader = {
  name: 'summary-figures',
  checks: "the summary's figures equal the CRM's",
  grade({ plan, input }) {
    const figures = knownFigures(input);
    const close = (n: number) => figures.some((f) => Math.abs(f - n) <= Math.max(0.5, f * 0.005));
    const reasons: string[] = [];
    const texts = [
      ...plan.summary.keyMetrics.flatMap((m, i) => [
        [`keyMetrics.${i} ("${m.label}")`, m.value],
        [`keyMetrics.${i} ("${m.label}") detail`, m.detail ?? ''],
      ]),
      ...plan.summary.keyDecisions.map((d, i) => [`keyDecisions.${i}`, d]),
      ...plan.summary.completedSteps.map((s, i) => [`completedSteps.${i}`, `${s.output} ${s.decision ?? ''}`]),
    ] as [string, string][];
    for (const [where, text] of texts)
      for (const [whole, digits, unit] of text.matchAll(MONEY)) {
        const n = moneyOf([whole, digits, unit]);
        if (!close(n)) reasons.push(`${where}: ${whole.trim()} is not a figure of the CRM (${figures.join(', ') || 'none'})`);
      }
    const { opportunity: o } = input.context;
    const expectValue = (label: RegExp, actual: number | null, name: string) => {
      for (const m of plan.summary.keyMetrics.filter((x) => label.test(x.label))) {
        const stated = Number((m.value.match(/-?\d[\d,]*(?:\.\d+)?/)?.[0] ?? 'NaN').replace(/,/g, ''));
        if (actual === null ? !Number.isNaN(stated) : stated !== actual)
          reasons.push(`keyMetrics "${m.label}": ${m.value}, but the CRM's ${name} is ${actual ?? 'empty'}`);
      }
    };
    expectValue(/days to renewal/i, input.daysToRenewal, 'days to renewal');
    expectValue(/^stakeholders$|contact roles/i, input.context.contactRoles.length, 'contact role count');
    expectValue(/\bARR\b/, o.currentArr, 'current ARR');
    expectValue(/renewal (target|amount|value)/i, o.amount, 'amount');
    return reasons;
  },
};
