import { daysBetween, type IsoDate } from '../calendar/dates.ts';

/** What the risk rules read about one renewal (Salesforce and the database together). */
export interface RiskFacts {
  daysToRenewal: number;
  economicBuyers: number;
  planStatus: PlanStatus;
  /** The renewal date the finalized plan was made for, and the one Salesforce holds now. */
  plannedRenewalDate: IsoDate | null;
  renewalDate: IsoDate;
  overdueCsmTasks: number;
  failedAiTasks: number;
  lastEngagement: IsoDate | null;
}

export type PlanStatus = 'none' | 'draft' | 'finalized' | 'needs-replan';

export const RISK_FLAGS = [
  'no-economic-buyer',
  'no-recent-engagement',
  'overdue-tasks',
  'renewal-date-moved',
  'ai-tasks-failed',
  'no-plan',
] as const;
export type RiskFlagId = (typeof RISK_FLAGS)[number];
export interface RiskFlag {
  flag: RiskFlagId;
  reason: string;
}

/** Days without customer engagement before it is a risk. */
const ENGAGEMENT_DAYS = 30;
/** Days to renewal under which a renewal without a finalized plan is a risk (the Engage stage and later). */
const PLAN_NEEDED_DAYS = 120;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The risk rule set, not a model: each rule reads the facts and answers a reason when its flag is raised. The
 * order is the order flags are listed in. Documented in docs/portfolio.md.
 */
const RISK_RULES: { flag: RiskFlagId; reason: (f: RiskFacts, today: IsoDate) => string | undefined }[] = [
  {
    flag: 'no-economic-buyer',
    reason: (f) => (f.economicBuyers === 0 ? 'No contact role is the Economic Buyer' : undefined),
  },
  {
    flag: 'no-recent-engagement',
    reason: (f, today) => {
      if (!f.lastEngagement) return 'No customer engagement on record';
      const days = daysBetween(f.lastEngagement, today);
      return days > ENGAGEMENT_DAYS ? `No customer engagement in ${days} days (last on ${f.lastEngagement})` : undefined;
    },
  },
  {
    flag: 'overdue-tasks',
    reason: (f) => (f.overdueCsmTasks > 0 ? `${plural(f.overdueCsmTasks, 'CSM task')} overdue` : undefined),
  },
  {
    flag: 'renewal-date-moved',
    reason: (f) =>
      f.planStatus === 'needs-replan'
        ? `The renewal date moved from ${f.plannedRenewalDate} to ${f.renewalDate} since the plan was finalized`
        : undefined,
  },
  {
    flag: 'ai-tasks-failed',
    reason: (f) => (f.failedAiTasks > 0 ? `${plural(f.failedAiTasks, 'AI task')} failed` : undefined),
  },
  {
    flag: 'no-plan',
    reason: (f) =>
      (f.planStatus === 'none' || f.planStatus === 'draft') && f.daysToRenewal < PLAN_NEEDED_DAYS
        ? `No finalized plan with ${f.daysToRenewal} days to renewal`
        : undefined,
  },
];

/** The flags the rules raise for one renewal, each with its reason. */
export function riskFlags(facts: RiskFacts, today: IsoDate): RiskFlag[] {
  return RISK_RULES.flatMap((rule) => {
    const reason = rule.reason(facts, today);
    return reason === undefined ? [] : [{ flag: rule.flag, reason }];
  });
}
