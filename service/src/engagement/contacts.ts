import type { ContextContact } from '../db/engagement.ts';

/** The contact of the plan's account an email went to, found by address in the plan's stored CRM context. */
export function contactOf(
  plan: { accountId: string | null; contactRoles: ContextContact[] | null },
  address: string,
): { id: string; name: string } | null {
  const to = address.toLowerCase();
  const role = (plan.contactRoles ?? []).find(
    (r) => r.contact.email?.toLowerCase() === to && (!plan.accountId || r.contact.accountId === plan.accountId),
  );
  return role ? { id: role.contactId, name: role.contact.name } : null;
}
