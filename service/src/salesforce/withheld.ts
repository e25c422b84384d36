import type { CrmContext, WithheldInput } from './context.ts';
import type { ReadableFields } from './field-access.ts';

/** How the plan says so. */
export const withheldMessage = (w: WithheldInput) => `${w.label} is not visible to you`;

type Clear = (ctx: CrmContext) => void;
const contacts = (ctx: CrmContext) => ctx.contactRoles.map((r) => r.contact);
const activitiesOf = (ctx: CrmContext, kind: 'Task' | 'Event') => ctx.activities.filter((a) => a.kind === kind);
const contract = (ctx: CrmContext) => ctx.contract ?? undefined;

/**
 * Every permissionable field the context holds, with what leaves the context when the user cannot read it. A field
 * that is not here is always readable (Id, Name, CloseDate, StageName, OwnerId: see field-access.ts) or is not
 * shown (the keys that join records).
 */
const CONTEXT_FIELDS: [field: string, label: string, clear: Clear][] = [
  ['Opportunity.Amount', 'Amount', (c) => void (c.opportunity.amount = null)],
  ['Opportunity.Current_ARR__c', 'Current ARR', (c) => void (c.opportunity.currentArr = null)],
  ['Opportunity.Type', 'Opportunity type', (c) => void (c.opportunity.type = null)],
  ['Opportunity.Description', 'Opportunity description', (c) => void (c.opportunity.description = null)],
  ['Opportunity.NextStep', 'Next step', (c) => void (c.opportunity.nextStep = null)],
  ['Opportunity.Primary_Contact__c', 'Primary contact', (c) => void (c.opportunity.primaryContactId = null)],
  ['Opportunity.Previous_Contact__c', 'Previous contact', (c) => void (c.opportunity.previousContactId = null)],
  ['Opportunity.Notice_Period_Days__c', 'Notice period', (c) => void (contract(c) && (contract(c)!.noticePeriodDays = null))],
  ['Opportunity.Auto_Renewal__c', 'Auto-renewal', (c) => void (contract(c) && (contract(c)!.autoRenewal = null))],
  ['Opportunity.Price_Increase_Cap__c', 'Price increase cap', (c) => void (contract(c) && (contract(c)!.priceIncreaseCapPct = null))],
  ['Opportunity.Termination_Terms__c', 'Termination terms', (c) => void (contract(c) && (contract(c)!.terminationTerms = null))],
  ['Account.Industry', 'Account industry', (c) => void (c.account.industry = null)],
  ['Account.AnnualRevenue', 'Account annual revenue', (c) => void (c.account.annualRevenue = null)],
  ['Account.NumberOfEmployees', 'Account employees', (c) => void (c.account.employees = null)],
  ['Contact.Title', "Contacts' titles", (c) => contacts(c).forEach((x) => (x.title = null))],
  ['Contact.Email', "Contacts' email addresses", (c) => contacts(c).forEach((x) => (x.email = null))],
  ['OpportunityContactRole.Role', 'Contact roles', (c) => c.contactRoles.forEach((r) => (r.role = null))],
  ['Task.Subject', 'Task subjects', (c) => activitiesOf(c, 'Task').forEach((a) => (a.subject = null))],
  ['Task.Description', 'Task comments', (c) => activitiesOf(c, 'Task').forEach((a) => (a.description = null))],
  ['Event.Subject', 'Event subjects', (c) => activitiesOf(c, 'Event').forEach((a) => (a.subject = null))],
  ['Event.Description', 'Event descriptions', (c) => activitiesOf(c, 'Event').forEach((a) => (a.description = null))],
  ['OpportunityTeamMember.TeamMemberRole', 'Opportunity team roles', (c) => c.team?.opportunity.forEach((m) => (m.role = null))],
  ['AccountTeamMember.TeamMemberRole', 'Account team roles', (c) => c.team?.account.forEach((m) => (m.role = null))],
];

/**
 * The context as a user may read it: every field their field-level security hides is emptied (null) and listed in
 * `withheld`, so every consumer downstream (steps, planners, the prompt, the stored evidence, the view) works from what
 * the user could see in Salesforce and can say what it did not get. The integration user's context is not changed.
 */
export function contextReadableBy(ctx: CrmContext, fields: ReadableFields): CrmContext {
  const hidden = CONTEXT_FIELDS.filter(([field]) => !fields.canRead(field));
  if (hidden.length === 0) return ctx;
  const copy = structuredClone(ctx);
  for (const [, , clear] of hidden) clear(copy);
  copy.withheld = hidden.map(([field, label]) => ({ field, label }));
  return copy;
}

/** The context fields this user cannot read, as one key ('' when they read them all): what a stored output's mask depends on. */
export const hiddenContextFieldsKey = (fields: ReadableFields): string =>
  CONTEXT_FIELDS.filter(([field]) => !fields.canRead(field))
    .map(([field]) => field)
    .join(',');

/**
 * The context's values of the chosen permissionable fields, field by field: what `contextReadableBy` would empty for
 * each, read off the context before it is emptied (leaves that become null). For a stored output made under more
 * access than its viewer has (withheld-stored.ts).
 */
export function contextFieldValues(ctx: CrmContext, chosen: (field: string) => boolean) {
  return CONTEXT_FIELDS.filter(([field]) => chosen(field)).map(([field, label, clear]) => {
    const copy = structuredClone(ctx);
    clear(copy);
    return { field, label, values: leavesCleared(ctx, copy) };
  });
}

/** The leaves of `before` that are null in `after` (same shape). */
function leavesCleared(before: unknown, after: unknown, out: (string | number | boolean)[] = []) {
  if (before === null || before === undefined) return out;
  if (typeof before === 'object') {
    for (const [k, v] of Object.entries(before)) leavesCleared(v, (after as Record<string, unknown> | null)?.[k], out);
  } else if (after === null && (typeof before === 'string' || typeof before === 'number' || typeof before === 'boolean')) out.push(before);
  return out;
}

/** The withheld input of this field in a context read for a user, if the user cannot read it. */
export const withheldInput = (ctx: CrmContext, field: string): WithheldInput | undefined => ctx.withheld?.find((w) => w.field === field);
