import type { ContextContact } from '../db/engagement.ts';
import type { Deps } from '../deps.ts';

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

/**
 * The plans' contacts with their email addresses, for matching an email to its contact. A plan's stored context holds
 * what its CSM could read: with Contact.Email hidden from them (field-level security) the addresses are null there,
 * and the rules would find no contact. Matching is the service's own work (the CSM is shown the contact's name, not
 * the address), so those plans' contacts come from the integration user's current context instead (one cached,
 * batched read); an opportunity Salesforce cannot read now keeps its stored contacts.
 */
export async function withMatchableContacts<T extends { opportunityId: string; contactRoles: ContextContact[] | null }>(
  deps: Deps,
  plans: T[],
): Promise<T[]> {
  const lacking = [...new Set(plans.filter((p) => p.contactRoles?.some((r) => r.contact.email === null)).map((p) => p.opportunityId))];
  if (lacking.length === 0) return plans;
  const contexts = await deps.salesforce.loadContexts(lacking);
  return plans.map((p) => {
    const ctx = contexts.get(p.opportunityId);
    if (!ctx || ctx instanceof Error || !p.contactRoles?.some((r) => r.contact.email === null)) return p;
    const current: ContextContact[] = ctx.contactRoles.map((r) => ({
      contactId: r.contactId,
      contact: { name: r.contact.name, email: r.contact.email, accountId: r.contact.accountId },
    }));
    return { ...p, contactRoles: current };
  });
}
