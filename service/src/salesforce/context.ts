import type { Connection } from 'jsforce';
import { z } from 'zod';
import { toIsoDate } from '../calendar/dates.ts';
import { SalesforceError } from './errors.ts';
import { ALL_FEATURES, type OrgFeatures } from './org-features.ts';
import { idKey, SalesforceId, soqlId } from './ids.ts';
import { soqlIdList } from './soql.ts';
import { children, renewalDateOf, selectList, type SoqlRecord as Rec } from './soql-records.ts';

const ContactSchema = z.object({
  id: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  email: z.string().nullable(),
  accountId: z.string().nullable(),
});
type Contact = z.infer<typeof ContactSchema>;

/** A member of the opportunity's or the account's team, with their TeamMemberRole (a picklist of the org). */
const TeamMemberSchema = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.string().nullable(),
  isActive: z.boolean(),
});
export type TeamMember = z.infer<typeof TeamMemberSchema>;

/** A CRM input the user cannot read in Salesforce (field-level security): absent from what they, and the model for them, see. */
const WithheldInputSchema = z.object({
  /** The Salesforce field, `Object.Field`. */
  field: z.string(),
  /** The field in the CSM's words. */
  label: z.string(),
});
export type WithheldInput = z.infer<typeof WithheldInputSchema>;

// The context is mapped from Salesforce's records, not parsed; the schema gives its type and checks the stored
// snapshot when it is read back (db/plans.ts, planContext).
export const CrmContextSchema = z.object({
  opportunity: z.object({
    id: z.string(),
    name: z.string(),
    stageName: z.string().nullable(),
    type: z.string().nullable(),
    amount: z.number().nullable(),
    currentArr: z.number().nullable(),
    closeDate: z.string(),
    renewalDate: z.string(),
    description: z.string().nullable(),
    nextStep: z.string().nullable(),
    primaryContactId: z.string().nullable(),
    previousContactId: z.string().nullable(),
  }),
  /**
   * The contract terms the package's Opportunity fields hold (null where a field is empty). Absent on contexts
   * stored before these fields existed; null as a whole when none is filled in.
   */
  contract: z
    .object({
      noticePeriodDays: z.number().nullable(),
      autoRenewal: z.boolean().nullable(),
      priceIncreaseCapPct: z.number().nullable(),
      terminationTerms: z.string().nullable(),
    })
    .nullable()
    .optional(),
  account: z.object({
    id: z.string(),
    name: z.string(),
    industry: z.string().nullable(),
    annualRevenue: z.number().nullable(),
    employees: z.number().nullable(),
  }),
  owner: z.object({ id: z.string(), name: z.string(), email: z.string().nullable() }),
  contactRoles: z.array(
    z.object({ id: z.string(), contactId: z.string(), role: z.string().nullable(), isPrimary: z.boolean(), contact: ContactSchema }),
  ),
  /** The opportunity team and the account team (who fills a plan's team roles). Absent on contexts stored before teams. */
  team: z
    .object({
      opportunity: z.array(TeamMemberSchema),
      account: z.array(TeamMemberSchema),
      /** Teams the org does not have (Team Selling or Account Teams off): their roles fall to the owner. */
      unavailable: z.array(z.enum(['opportunity', 'account'])).optional(),
    })
    .optional(),
  activities: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['Task', 'Event']),
      /** TaskSubtype (Email, Call, Task...): an Email task is a sent email, the only one tracking may follow. Absent on older stored contexts. */
      subtype: z.string().nullable().optional(),
      subject: z.string().nullable(),
      description: z.string().nullable(),
      date: z.string().nullable(),
      status: z.string().nullable(),
      whoId: z.string().nullable(),
      isClosed: z.boolean(),
      actionPlanTaskId: z.string().nullable(),
    }),
  ),
  /**
   * The inputs emptied because the user the context was read for cannot read them (see withheld.ts). Absent on the
   * integration user's context and on contexts stored before field-level security was applied.
   */
  withheld: z.array(WithheldInputSchema).optional(),
});
export type CrmContext = z.infer<typeof CrmContextSchema>;

const ACTIVITY_LIMIT = 20;
/** Team members read per team: teams are small; a bound keeps the prompt and the context bounded too. */
const TEAM_LIMIT = 50;

const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'StageName',
  'Type',
  'Amount',
  'Current_ARR__c',
  'CloseDate',
  'Description',
  'NextStep',
  'Primary_Contact__c',
  'Previous_Contact__c',
  'Notice_Period_Days__c',
  'Auto_Renewal__c',
  'Price_Increase_Cap__c',
  'Termination_Terms__c',
  'OwnerId',
  'Owner.Name',
  'Owner.Email',
  'AccountId',
  'Account.Name',
  'Account.Industry',
  'Account.AnnualRevenue',
  'Account.NumberOfEmployees',
];

/** The one SOQL statement that loads an opportunity's whole CRM context (relationship fields and sub-queries). */
export function contextSoql(opportunityId: string, renewalDateField?: string, features: TeamFeatures = ALL_FEATURES): string {
  return contextsSoql([opportunityId], renewalDateField, features);
}

/** Which team objects the org has (org-features.ts): a sub-query or query naming a missing one fails the whole read. */
type TeamFeatures = Pick<OrgFeatures, 'accountTeams' | 'opportunityTeams'>;

/** The most opportunities one context query reads (the bulk start's chunk, as `UserRecordAccess` allows per query). */
export const CONTEXTS_PER_QUERY = 200;

/** The same statement for several opportunities (`Id IN (...)`); the sub-queries' limits apply per opportunity. */
function contextsSoql(opportunityIds: string[], renewalDateField?: string, features: TeamFeatures = ALL_FEATURES): string {
  const subqueries = [
    '(SELECT Id, ContactId, Role, IsPrimary, Contact.Name, Contact.Title, Contact.Email, Contact.AccountId FROM OpportunityContactRoles)',
    `(SELECT Id, Subject, Description, ActivityDate, Status, IsClosed, WhoId, TaskSubtype, Action_Plan_Task_Id__c FROM Tasks ORDER BY ActivityDate DESC NULLS LAST LIMIT ${ACTIVITY_LIMIT})`,
    `(SELECT Id, Subject, Description, ActivityDate, StartDateTime, WhoId FROM Events ORDER BY StartDateTime DESC LIMIT ${ACTIVITY_LIMIT})`,
    // Without Team Selling the relationship does not exist, and naming it would fail the whole query.
    ...(features.opportunityTeams
      ? [`(SELECT UserId, User.Name, User.IsActive, TeamMemberRole FROM OpportunityTeamMembers ORDER BY User.Name LIMIT ${TEAM_LIMIT})`]
      : []),
  ];
  return `SELECT ${selectList([...OPPORTUNITY_FIELDS, ...(renewalDateField ? [renewalDateField] : [])])}, ${subqueries.join(', ')} FROM Opportunity WHERE ${idFilter(opportunityIds)}`;
}

const idFilter = (ids: string[]) => (ids.length === 1 ? `Id = ${soqlId(ids[0]!)}` : `Id IN ${soqlIdList(ids)}`);

/**
 * The account teams of the opportunities' accounts. SOQL has no child sub-query through a parent (Account's
 * AccountTeamMembers from an Opportunity), so it is a second query, keyed by a semi-join on the opportunities: it needs
 * nothing from the first and is sent in the same tick, so the gateway's composite request carries both in one API call.
 * SOQL cannot bound rows per account: the bound is per team on average, and each team is cut to TEAM_LIMIT when read.
 */
export function accountTeamSoql(opportunityIds: string[]): string {
  return `SELECT AccountId, UserId, User.Name, User.IsActive, TeamMemberRole FROM AccountTeamMember WHERE AccountId IN (SELECT AccountId FROM Opportunity WHERE ${idFilter(opportunityIds)}) ORDER BY AccountId, User.Name LIMIT ${TEAM_LIMIT * opportunityIds.length}`;
}

/** The account team rows by account (18-character id), each team at most TEAM_LIMIT members. */
function accountTeamsByAccount(rows: Rec[]): Map<string, Rec[]> {
  const teams = new Map<string, Rec[]>();
  for (const r of rows) {
    const team = teams.get(idKey(r.AccountId)) ?? [];
    if (team.length < TEAM_LIMIT) team.push(r);
    teams.set(idKey(r.AccountId), team);
  }
  return teams;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const contactOf = (c: Rec): Contact => ({
  id: c.Id,
  name: c.Name,
  title: str(c.Title),
  email: str(c.Email),
  accountId: str(c.AccountId),
});

/** How the context is read: the renewal date field, and the team objects the org has (all, unless told). */
interface ContextOptions {
  renewalDateField?: string;
  features?: TeamFeatures;
}

const unavailableTeams = (f: TeamFeatures) => {
  const missing = [...(f.opportunityTeams ? [] : ['opportunity' as const]), ...(f.accountTeams ? [] : ['account' as const])];
  return missing.length ? { unavailable: missing } : {};
};

/** Runs a SOQL query and answers every record (the gateway's, which shares composite requests). */
export type SoqlReader = <T extends Record<string, unknown>>(soql: string) => Promise<T[]>;

const teamMemberOf = (m: Rec): TeamMember => ({
  userId: m.UserId,
  name: m.User?.Name ?? '',
  role: str(m.TeamMemberRole),
  isActive: m.User?.IsActive === true,
});

/**
 * Loads the opportunity, account, owner, contact roles with contacts, recent tasks and events, and the opportunity and
 * account teams: two SOQL queries sent at once (one Salesforce API call through the gateway's composite request).
 * `opportunityId` must already be validated as a Salesforce id.
 */
export async function loadOpportunityContext(
  conn: Connection | SoqlReader,
  opportunityId: string,
  opts: ContextOptions = {},
): Promise<CrmContext | undefined> {
  if (!SalesforceId.safeParse(opportunityId).success) throw new Error('loadOpportunityContext needs a valid id');
  const read = async (soql: string): Promise<Rec[]> =>
    typeof conn === 'function' ? await conn<Rec>(soql) : (await conn.query<Rec>(soql)).records;
  const features = opts.features ?? ALL_FEATURES;
  const [records, accountTeam] = await Promise.all([
    read(contextSoql(opportunityId, opts.renewalDateField, features)),
    features.accountTeams ? read(accountTeamSoql([opportunityId])) : [],
  ]);
  const o = records[0];
  if (!o) return undefined;
  return contextOf(o, accountTeam, opts);
}

/**
 * The CRM contexts of several opportunities in one context query and one account-team query (at most CONTEXTS_PER_QUERY ids, each already validated),
 * by 18-character id: an opportunity that does not exist is absent, one that cannot be planned (no renewal date) maps
 * to its error.
 */
export async function loadOpportunityContexts(
  read: SoqlReader,
  opportunityIds: string[],
  opts: ContextOptions = {},
): Promise<Map<string, CrmContext | SalesforceError>> {
  if (opportunityIds.length > CONTEXTS_PER_QUERY || !opportunityIds.every((id) => SalesforceId.safeParse(id).success))
    throw new Error(`loadOpportunityContexts needs at most ${CONTEXTS_PER_QUERY} valid ids`);
  const contexts = new Map<string, CrmContext | SalesforceError>();
  if (opportunityIds.length === 0) return contexts;
  const features = opts.features ?? ALL_FEATURES;
  const [records, accountTeamRows] = await Promise.all([
    read<Rec>(contextsSoql(opportunityIds, opts.renewalDateField, features)),
    features.accountTeams ? read<Rec>(accountTeamSoql(opportunityIds)) : [],
  ]);
  const accountTeams = accountTeamsByAccount(accountTeamRows);
  for (const o of records) {
    try {
      contexts.set(idKey(o.Id), contextOf(o, (o.AccountId && accountTeams.get(idKey(o.AccountId))) || [], opts));
    } catch (err) {
      if (!(err instanceof SalesforceError)) throw err;
      contexts.set(idKey(o.Id), err);
    }
  }
  return contexts;
}

/** One Opportunity record of the context query, with its account's team, as the service's CRM context. */
function contextOf(o: Rec, accountTeam: Rec[], opts: ContextOptions): CrmContext {
  const opportunityId = String(o.Id);
  const renewalDate = renewalDateOf(o, opts.renewalDateField);
  if (!renewalDate) throw new SalesforceError(`Opportunity ${opportunityId} has no renewal date`, 'MISSING_RENEWAL_DATE', 'permanent');
  const contactRoles = children(o, 'OpportunityContactRoles').map((r) => ({
    id: r.Id,
    contactId: r.ContactId,
    role: str(r.Role),
    isPrimary: r.IsPrimary === true,
    contact: contactOf({ Id: r.ContactId, ...r.Contact }),
  }));
  const activities = [
    ...children(o, 'Tasks').map((t) => ({
      id: t.Id,
      kind: 'Task' as const,
      subtype: str(t.TaskSubtype),
      subject: str(t.Subject),
      description: str(t.Description),
      date: str(t.ActivityDate),
      status: str(t.Status),
      whoId: str(t.WhoId),
      isClosed: t.IsClosed === true,
      actionPlanTaskId: str(t.Action_Plan_Task_Id__c),
    })),
    ...children(o, 'Events').map((e) => ({
      id: e.Id,
      kind: 'Event' as const,
      subtype: null,
      subject: str(e.Subject),
      description: str(e.Description),
      date: str(e.ActivityDate) ?? (str(e.StartDateTime) ? toIsoDate(new Date(e.StartDateTime)) : null),
      status: null,
      whoId: str(e.WhoId),
      isClosed: true,
      actionPlanTaskId: null,
    })),
  ].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
  const contract = {
    noticePeriodDays: num(o.Notice_Period_Days__c),
    // A checkbox is never empty in Salesforce: false only counts as data when some other term is filled in.
    autoRenewal: typeof o.Auto_Renewal__c === 'boolean' ? o.Auto_Renewal__c : null,
    priceIncreaseCapPct: num(o.Price_Increase_Cap__c),
    terminationTerms: str(o.Termination_Terms__c),
  };
  const hasContract =
    contract.noticePeriodDays !== null ||
    contract.priceIncreaseCapPct !== null ||
    contract.terminationTerms !== null ||
    contract.autoRenewal === true;
  return {
    contract: hasContract ? contract : null,
    opportunity: {
      id: o.Id,
      name: o.Name,
      stageName: str(o.StageName),
      type: str(o.Type),
      amount: num(o.Amount),
      currentArr: num(o.Current_ARR__c),
      closeDate: o.CloseDate,
      renewalDate: renewalDate.slice(0, 10),
      description: str(o.Description),
      nextStep: str(o.NextStep),
      primaryContactId: str(o.Primary_Contact__c),
      previousContactId: str(o.Previous_Contact__c),
    },
    account: {
      id: o.AccountId,
      name: o.Account?.Name ?? '',
      industry: str(o.Account?.Industry),
      annualRevenue: num(o.Account?.AnnualRevenue),
      employees: num(o.Account?.NumberOfEmployees),
    },
    owner: { id: o.OwnerId, name: o.Owner?.Name ?? '', email: str(o.Owner?.Email) },
    contactRoles,
    team: {
      opportunity: children(o, 'OpportunityTeamMembers').map(teamMemberOf),
      account: accountTeam.map(teamMemberOf),
      ...unavailableTeams(opts.features ?? ALL_FEATURES),
    },
    activities,
  };
}
