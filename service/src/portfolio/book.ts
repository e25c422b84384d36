import { addDays, daysBetween, toIsoDate, type IsoDate } from '../calendar/dates.ts';
import { planTaskStates, type PlanTaskState } from '../db/portfolio.ts';
import type { Deps } from '../deps.ts';
import type { PortfolioOpportunity, PortfolioOwner, PortfolioQuery } from '../salesforce/portfolio.ts';
import type { ReadableFields } from '../salesforce/field-access.ts';
import { withheldMessage } from '../salesforce/withheld.ts';
import { renewalStageFor, stageById, type RenewalStage, type StageId } from '../stages/stages.ts';
import { currentRenewalCondition } from './renewals.ts';
import { riskFlags, type PlanStatus, type RiskFlag, type RiskFlagId } from './risk-rules.ts';

export const PORTFOLIO_SORTS = ['daysToRenewal', '-daysToRenewal', 'amount', '-amount', 'stage', '-stage', 'risk'] as const;
type PortfolioSort = (typeof PORTFOLIO_SORTS)[number];

/** Salesforce's largest OFFSET: the portfolio pages through the first 2,000 renewals of a book. */
export const MAX_OFFSET = 2000;

interface PortfolioRequest {
  userId: string;
  owner: PortfolioOwner;
  stage?: StageId;
  /** Only rows with this flag (`any`: with at least one). */
  risk?: RiskFlagId | 'any';
  sort: PortfolioSort;
  pageSize: number;
  offset: number;
}

interface PortfolioRow {
  opportunityId: string;
  name: string;
  account: { id: string | null; name: string | null };
  owner: { id: string; name: string };
  amount: number | null;
  renewalDate: IsoDate;
  daysToRenewal: number;
  stage: { id: StageId; name: string; urgency: string };
  planStatus: PlanStatus;
  openTasks: number;
  overdueTasks: number;
  failedAiTasks: number;
  lastEngagement: IsoDate | null;
  risks: RiskFlag[];
}

/** A portfolio column the user cannot read in Salesforce (field-level security), and how the page says so. */
interface PortfolioWithheld {
  field: string;
  label: string;
  message: string;
}
/** The permissionable fields the portfolio shows (name, owner, account and the renewal date are always readable). */
const PORTFOLIO_FIELDS = [{ field: 'Opportunity.Amount', label: 'Amount' }];

// Stage order runs from Monitor (furthest) to Overdue: ascending stage is descending renewal date.
const ORDER_OF_SORT: Record<PortfolioSort, PortfolioQuery['orderBy']> = {
  daysToRenewal: 'renewal',
  '-daysToRenewal': '-renewal',
  amount: 'amount',
  '-amount': '-amount',
  stage: '-renewal',
  '-stage': 'renewal',
  risk: 'renewal',
};

/**
 * One page of a book of renewals: one Salesforce query for the opportunities, then, at the same time, one database
 * query for plan and task state and, for a team's book, one `UserRecordAccess` query (the service reads as its
 * integration user: only what the acting user can see is shown). Risk is computed per row by the rule set, so a `risk` filter keeps
 * the matching rows of each page and `sort=risk` orders each page's rows (most flags first, then days to renewal);
 * the pages themselves follow the renewal date.
 */
export async function portfolioPage(
  deps: Deps,
  req: PortfolioRequest,
): Promise<{ rows: PortfolioRow[]; nextOffset: number | null; withheld: PortfolioWithheld[] }> {
  const today = deps.today();
  const stage = req.stage ? stageById(req.stage, deps.stages) : undefined;
  // The columns the user's field-level security hides are left empty; a hidden amount cannot order the book either
  // (the order would tell what the column hides): the renewal date orders it instead.
  // Only a sort by amount waits for the field access; otherwise both reads start together (one composite request).
  const fieldsRead = deps.salesforce.readableFields(req.userId);
  const byAmount = req.sort === 'amount' || req.sort === '-amount';
  const amountReadable = byAmount ? (await fieldsRead).canRead('Opportunity.Amount') : true;
  const sort = amountReadable ? req.sort : 'daysToRenewal';
  const renewals = await currentRenewalCondition(deps);
  // No opportunity can be a renewal yet (the execution fallback before any start): an empty book, asked of no one.
  if (renewals === undefined) return { rows: [], nextOffset: null, withheld: withheldOf(await fieldsRead) };
  const opportunitiesRead = deps.salesforce.portfolioPage({
    userId: req.userId,
    owner: req.owner,
    renewals,
    renewalFrom: stage?.minDays != null ? addDays(today, stage.minDays) : undefined,
    renewalTo: stage?.maxDays != null ? addDays(today, stage.maxDays) : undefined,
    orderBy: ORDER_OF_SORT[sort],
    offset: req.offset,
    limit: req.pageSize + 1,
    today,
  });
  const [fields, opportunities] = await Promise.all([fieldsRead, opportunitiesRead]);
  const withheld = withheldOf(fields);
  const amountHidden = withheld.some((w) => w.field === 'Opportunity.Amount');
  const page = opportunities.slice(0, req.pageSize);
  const ids = page.map((o) => o.id);
  const [visible, states] = await Promise.all([visibleOf(deps, req, ids), planTaskStates(deps.db.sql, ids, today)]);
  let rows = page
    .filter((o) => visible.has(o.id))
    .map((o) => rowOf(amountHidden ? { ...o, amount: null } : o, states.get(o.id), today, deps.stages));
  if (req.risk) rows = rows.filter((r) => (req.risk === 'any' ? r.risks.length > 0 : r.risks.some((f) => f.flag === req.risk)));
  if (req.sort === 'risk') rows.sort((a, b) => b.risks.length - a.risks.length || a.daysToRenewal - b.daysToRenewal);
  const next = req.offset + req.pageSize;
  return { rows, nextOffset: opportunities.length > req.pageSize && next <= MAX_OFFSET ? next : null, withheld };
}

/** The book's columns the user's field-level security hides. */
const withheldOf = (fields: ReadableFields): PortfolioWithheld[] =>
  PORTFOLIO_FIELDS.filter((w) => !fields.canRead(w.field)).map((w) => ({ ...w, message: withheldMessage(w) }));

/**
 * The page's opportunities the acting user can see. Their own (`owner=me`, the query filters `OwnerId` on them):
 * Salesforce gives a record's owner full access to it, so there is nothing to ask. A team's: one `UserRecordAccess`
 * query (cached briefly), since being someone's manager (`ManagerId`) grants no access by itself.
 */
function visibleOf(deps: Deps, req: PortfolioRequest, ids: string[]): Promise<Set<string>> {
  if (req.owner === 'me' || ids.length === 0) return Promise.resolve(new Set(ids));
  return deps.salesforce.readable(req.userId, ids);
}

function rowOf(o: PortfolioOpportunity, state: PlanTaskState | undefined, today: IsoDate, stages: RenewalStage[]): PortfolioRow {
  const daysToRenewal = daysBetween(today, o.renewalDate);
  const stage = renewalStageFor(daysToRenewal, stages);
  const plannedRenewalDate = state?.plannedRenewalDate ?? null;
  const planStatus: PlanStatus = !state?.planStatus
    ? 'none'
    : state.planStatus === 'finalized' && plannedRenewalDate !== null && plannedRenewalDate !== o.renewalDate
      ? 'needs-replan'
      : state.planStatus;
  const emailed = state?.lastEmailEngagementAt ? toIsoDate(state.lastEmailEngagementAt) : null;
  const lastEngagement =
    [o.lastActivityDate, emailed]
      .filter((d): d is IsoDate => d !== null)
      .sort()
      .at(-1) ?? null;
  const counts = {
    openTasks: state?.openCsmTasks ?? 0,
    overdueTasks: state?.overdueCsmTasks ?? 0,
    failedAiTasks: state?.failedAiTasks ?? 0,
  };
  return {
    opportunityId: o.id,
    name: o.name,
    account: o.account,
    owner: o.owner,
    amount: o.amount,
    renewalDate: o.renewalDate,
    daysToRenewal,
    stage: { id: stage.id, name: stage.name, urgency: stage.urgency },
    planStatus,
    ...counts,
    lastEngagement,
    risks: riskFlags(
      {
        daysToRenewal,
        economicBuyers: o.economicBuyers,
        planStatus,
        plannedRenewalDate,
        renewalDate: o.renewalDate,
        overdueCsmTasks: counts.overdueTasks,
        failedAiTasks: counts.failedAiTasks,
        lastEngagement,
      },
      today,
    ),
  };
}
