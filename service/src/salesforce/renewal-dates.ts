import type { Connection } from 'jsforce';
import { SALESFORCE_ID, soqlId } from './ids.ts';

/** An opportunity's renewal date and owner as Salesforce holds them now. */
export interface RenewalDateChange {
  opportunityId: string;
  ownerId: string;
  renewalDate: string;
  systemModstamp: string;
}

/**
 * The opportunities among `ids` changed in Salesforce at or after `since` (ISO datetime), with their renewal date (the
 * configured field, else Close Date): one query per 200 ids.
 */
export async function changedRenewalDates(
  conn: Connection,
  ids: string[],
  since: string,
  renewalDateField?: string,
): Promise<RenewalDateChange[]> {
  const literal = new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const field = renewalDateField ? `, ${renewalDateField}` : '';
  const changes: RenewalDateChange[] = [];
  const safe = ids.filter((id) => SALESFORCE_ID.test(id));
  for (let i = 0; i < safe.length; i += 200) {
    const list = safe
      .slice(i, i + 200)
      .map(soqlId)
      .join(', ');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- jsforce's records are untyped JSON, read field by field below
    const { records } = await conn.query<Record<string, any>>(
      `SELECT Id, OwnerId, CloseDate${field}, SystemModstamp FROM Opportunity WHERE Id IN (${list}) AND SystemModstamp >= ${literal}`,
    );
    for (const r of records) {
      const renewalDate = (renewalDateField ? r[renewalDateField] : null) ?? r.CloseDate;
      if (typeof renewalDate === 'string')
        changes.push({ opportunityId: r.Id, ownerId: r.OwnerId, renewalDate, systemModstamp: r.SystemModstamp });
    }
  }
  return changes;
}
