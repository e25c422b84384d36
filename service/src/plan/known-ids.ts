import type { CrmContext } from '../salesforce/context.ts';
import { idKey } from '../salesforce/ids.ts';

/** Strings shaped like Salesforce ids: 15 or 18 letters and digits with a run of four digits (no ordinary word has one). */
const ID_SHAPED = /\b(?=[0-9a-zA-Z]*\d{4})[0-9a-zA-Z]{15}(?:[0-9a-zA-Z]{3})?\b/g;

/** Every id-shaped string anywhere in a value (its JSON). */
function idShapedStrings(value: unknown): string[] {
  return [...new Set(JSON.stringify(value ?? null).match(ID_SHAPED) ?? [])];
}

/** The record ids of a CRM context, as id keys (18-character form). */
export function contextIdKeys(ctx: CrmContext): Set<string> {
  return new Set(
    [
      ctx.opportunity.id,
      ctx.account.id,
      ctx.owner.id,
      ctx.opportunity.primaryContactId,
      ctx.opportunity.previousContactId,
      ...ctx.contactRoles.flatMap((r) => [r.id, r.contactId]),
      ...ctx.activities.map((a) => a.id),
    ]
      .filter((id): id is string => Boolean(id))
      .map(idKey),
  );
}

/** The id-shaped strings of `value` that are not in `known`: ids a model invented or took from elsewhere. */
export function unknownIds(value: unknown, known: Set<string>): string[] {
  return idShapedStrings(value).filter((id) => !known.has(idKey(id)));
}
