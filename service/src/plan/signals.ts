import { daysBetween, type IsoDate } from '../calendar/dates.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { idKey } from '../salesforce/ids.ts';

const ECONOMIC_BUYER_ROLE = /economic buyer/i;
const FINANCE_TITLE = /\b(cfo|chief financial|finance director|vp,? finance|head of finance)\b/i;
const BUDGET_PRESSURE = /budget (cut|reduction|freeze|pressure)|cost[- ]cutting|spend(ing)? (cut|freeze)/i;
const RECENT_DAYS = 30;

type Role = CrmContext['contactRoles'][number];
type Activity = CrmContext['activities'][number];

/** What the CRM says about this renewal, read once and shared by the planners and the summary. */
export interface RenewalSignals {
  economicBuyer: Role | undefined;
  /** The contact role marked primary when it is not the opportunity's Primary_Contact__c: the primary contact is changing. */
  primaryChange: { from: Role | undefined; fromId: string | null; to: Role } | undefined;
  lastActivity: Activity | undefined;
  daysSinceLastActivity: number | undefined;
  noRecentActivity: boolean;
  overdueTasks: Activity[];
  budgetPressure: Activity | undefined;
  priceIncreasePct: number | undefined;
}

export function readSignals(ctx: CrmContext, today: IsoDate): RenewalSignals {
  const roles = ctx.contactRoles;
  const economicBuyer = roles.find((r) => ECONOMIC_BUYER_ROLE.test(r.role ?? '') || FINANCE_TITLE.test(r.contact.title ?? ''));
  const primaryRole = roles.find((r) => r.isPrimary);
  const currentPrimary = ctx.opportunity.primaryContactId;
  const primaryChange =
    primaryRole && currentPrimary && idKey(primaryRole.contactId) !== idKey(currentPrimary)
      ? { from: roles.find((r) => idKey(r.contactId) === idKey(currentPrimary)), fromId: currentPrimary, to: primaryRole }
      : primaryRole && !currentPrimary
        ? { from: undefined, fromId: null, to: primaryRole }
        : undefined;
  const past = ctx.activities.filter((a) => a.date && a.date <= today && (a.kind === 'Event' || a.isClosed));
  const lastActivity = past.sort((a, b) => b.date!.localeCompare(a.date!))[0];
  const daysSinceLastActivity = lastActivity ? daysBetween(lastActivity.date!, today) : undefined;
  const { amount, currentArr } = ctx.opportunity;
  return {
    economicBuyer,
    primaryChange,
    lastActivity,
    daysSinceLastActivity,
    noRecentActivity: daysSinceLastActivity === undefined || daysSinceLastActivity > RECENT_DAYS,
    overdueTasks: ctx.activities.filter(
      (a) => a.kind === 'Task' && !a.isClosed && a.date !== null && a.date < today && !a.actionPlanTaskId,
    ),
    budgetPressure: ctx.activities.find((a) => BUDGET_PRESSURE.test(`${a.subject ?? ''} ${a.description ?? ''}`)),
    priceIncreasePct: amount && currentArr ? Math.round(((amount - currentArr) / currentArr) * 1000) / 10 : undefined,
  };
}
