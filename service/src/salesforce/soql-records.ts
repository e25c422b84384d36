/** Reading jsforce's query records: untyped JSON, mapped field by field to the service's types by their readers. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- jsforce's records are untyped JSON
export type SoqlRecord = Record<string, any>;

/** A child relationship's records (a sub-query's rows); none when the relationship came back empty (null). */
export const children = (r: SoqlRecord, rel: string): SoqlRecord[] => (r[rel]?.records as SoqlRecord[] | undefined) ?? [];

/** Each field once, however it is spelled: SOQL rejects a field selected twice (`duplicate field selected`). */
export function selectList(fields: string[]): string {
  const seen = new Set<string>();
  return fields.filter((f) => !seen.has(f.toLowerCase()) && seen.add(f.toLowerCase())).join(', ');
}

/**
 * An Opportunity record's renewal date as Salesforce answered it: the configured field when it is filled in, else
 * Close Date. Salesforce answers with the field's own spelling, whatever case the setting used.
 */
export function renewalDateOf(o: SoqlRecord, renewalDateField?: string): string | null {
  const key = renewalDateField && Object.keys(o).find((k) => k.toLowerCase() === renewalDateField.toLowerCase());
  const filled = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return filled(key ? o[key] : null) ?? filled(o.CloseDate);
}
