import type { CrmContext } from '../port.ts';
import { sameId } from '../../service/src/salesforce/ids.ts';

type Activity = CrmContext['activities'][number];
type Role = CrmContext['contactRoles'][number];

/** The sent emails tracking may follow: Email tasks in the context addressed to a contact of the account. */
export function sentEmails(ctx: CrmContext): { activity: Activity; to: Role }[] {
  return ctx.activities.flatMap((activity) => {
    if (activity.subtype !== 'Email' || !activity.whoId) return [];
    const to = ctx.contactRoles.find(
      (r) => sameId(r.contactId, activity.whoId) && r.contact.accountId === ctx.account.id && r.contact.email,
    );
    return to ? [{ activity, to }] : [];
  });
}
