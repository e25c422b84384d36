import type { IsoDate } from '../calendar/dates.ts';
import type { SoqlReader } from './context.ts';
import { soqlId } from './ids.ts';
import { soqlDate } from './soql.ts';
import { children, renewalDateOf, selectList, type SoqlRecord as Rec } from './soql-records.ts';

/** Which book: the acting user's own renewals, or those of the users whose manager (`User.ManagerId`) they are. */
export type PortfolioOwner = 'me' | 'team';

/** The SOQL side of a portfolio page: who, which renewal dates, which order, which rows. */
export interface PortfolioQuery {
  userId: string;
  owner: PortfolioOwner;
  /** Which opportunities are renewals: a condition from renewal-criteria.ts (its values escaped there). */
  renewals: string;
  /** Renewal dates from..to (inclusive, either open): a stage filter as dates. */
  renewalFrom?: IsoDate;
  renewalTo?: IsoDate;
  /** The order Salesforce returns the rows in (Id breaks ties, so OFFSET pages never overlap). */
  orderBy: 'renewal' | '-renewal' | 'amount' | '-amount';
  offset: number;
  limit: number;
  /** Events after this day are planned, not engagement. */
  today: IsoDate;
}

/** One open renewal as Salesforce holds it. */
export interface PortfolioOpportunity {
  id: string;
  name: string;
  amount: number | null;
  renewalDate: IsoDate;
  account: { id: string | null; name: string | null };
  owner: { id: string; name: string };
  /** Contact roles marked "Economic Buyer". */
  economicBuyers: number;
  /**
   * The latest closed Task or past Event with a contact (a call, an email, a meeting logged in Salesforce) that the
   * plan did not create itself: the customer heard from.
   */
  lastActivityDate: IsoDate | null;
}

const ORDER: Record<PortfolioQuery['orderBy'], (field: string) => string> = {
  renewal: (f) => `${f} ASC, Id ASC`,
  '-renewal': (f) => `${f} DESC, Id DESC`,
  amount: () => 'Amount ASC NULLS FIRST, Id ASC',
  '-amount': () => 'Amount DESC NULLS LAST, Id DESC',
};

/**
 * The one SOQL statement of a portfolio page: open renewal opportunities of the user (or of their direct reports),
 * with the account, the owner, economic buyer contact roles and the latest customer activity as sub-queries.
 */
function portfolioSoql(q: PortfolioQuery, renewalDateField = 'CloseDate'): string {
  const field = renewalDateField;
  const who = q.owner === 'me' ? `OwnerId = ${soqlId(q.userId)}` : `Owner.ManagerId = ${soqlId(q.userId)}`;
  const where = [
    who,
    'IsClosed = false',
    q.renewals,
    ...(q.renewalFrom ? [`${field} >= ${soqlDate(q.renewalFrom)}`] : []),
    ...(q.renewalTo ? [`${field} <= ${soqlDate(q.renewalTo)}`] : []),
  ];
  const select = selectList(['Id', 'Name', 'Amount', 'CloseDate', field, 'AccountId', 'Account.Name', 'OwnerId', 'Owner.Name']);
  return [
    `SELECT ${select},`,
    "(SELECT Id FROM OpportunityContactRoles WHERE Role = 'Economic Buyer'),",
    // The plan's own Tasks (mirrored plan tasks, AI audit records) carry Action_Plan_Task_Id__c: they are not the customer.
    '(SELECT ActivityDate FROM Tasks WHERE IsClosed = true AND WhoId != null AND Action_Plan_Task_Id__c = null ORDER BY ActivityDate DESC NULLS LAST LIMIT 1),',
    `(SELECT ActivityDate FROM Events WHERE WhoId != null AND ActivityDate <= ${soqlDate(q.today)} ORDER BY ActivityDate DESC LIMIT 1)`,
    `FROM Opportunity WHERE ${where.join(' AND ')}`,
    `ORDER BY ${ORDER[q.orderBy](field)} LIMIT ${q.limit} OFFSET ${q.offset}`,
  ].join(' ');
}

const day = (v: unknown): IsoDate | null => (typeof v === 'string' && v !== '' ? v.slice(0, 10) : null);

/** Reads one page of the portfolio (one Salesforce API call). */
export async function portfolioPage(read: SoqlReader, q: PortfolioQuery, renewalDateField?: string): Promise<PortfolioOpportunity[]> {
  const records = await read<Rec>(portfolioSoql(q, renewalDateField));
  return records.map((o) => {
    const activity = [day(children(o, 'Tasks')[0]?.ActivityDate), day(children(o, 'Events')[0]?.ActivityDate)].filter(
      (d): d is IsoDate => d !== null && d <= q.today,
    );
    return {
      id: o.Id,
      name: o.Name,
      amount: typeof o.Amount === 'number' ? o.Amount : null,
      renewalDate: day(renewalDateOf(o, renewalDateField))!,
      account: { id: o.AccountId ?? null, name: o.Account?.Name ?? null },
      owner: { id: o.OwnerId, name: o.Owner?.Name ?? '' },
      economicBuyers: children(o, 'OpportunityContactRoles').length,
      lastActivityDate: activity.sort().at(-1) ?? null,
    };
  });
}
