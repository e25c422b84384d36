import type { ProcessorName } from '../../../processors/catalog.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { sameId } from '../salesforce/ids.ts';
import type { PlanningInput } from './planner.ts';

type Activity = CrmContext['activities'][number];
type Role = CrmContext['contactRoles'][number];

/** The sent emails tracking may follow: Email tasks in the context addressed to a contact of the account. */
export function sentEmails(ctx: CrmContext): { activity: Activity; to: Role }[] {
  return ctx.activities.flatMap((activity) => {
    if (activity.subtype !== 'Email' || !activity.whoId) return [];
    const to = ctx.contactRoles.find((r) => sameId(r.contactId, activity.whoId) && r.contact.accountId === ctx.account.id && r.contact.email);
    return to ? [{ activity, to }] : [];
  });
}

/**
 * The processors a plan for this renewal may use: the stage's allow-list, less those whose input this context cannot
 * ground (no sent email to track, no contact of the account to make primary).
 */
export function offeredProcessors(input: Pick<PlanningInput, 'stage' | 'context'>): ProcessorName[] {
  const ctx = input.context;
  const groundable: Partial<Record<ProcessorName, boolean>> = {
    'email-engagement-tracker': sentEmails(ctx).length > 0,
    'salesforce-contact-updater': ctx.contactRoles.some((r) => r.contact.accountId === ctx.account.id),
  };
  return input.stage.processors.filter((p) => groundable[p] ?? true);
}
