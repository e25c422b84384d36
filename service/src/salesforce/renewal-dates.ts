import type { Connection } from 'jsforce';
import { SALESFORCE_ID } from './ids.ts';
import { soqlDateTime, soqlIdList } from './soql.ts';
import { renewalDateOf, selectList, type SoqlRecord } from './soql-records.ts';

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
  const literal = soqlDateTime(since);
  const select = selectList(['Id', 'OwnerId', 'CloseDate', ...(renewalDateField ? [renewalDateField] : []), 'SystemModstamp']);
  const changes: RenewalDateChange[] = [];
  const safe = ids.filter((id) => SALESFORCE_ID.test(id));
  for (let i = 0; i < safe.length; i += 200) {
    const list = soqlIdList(safe.slice(i, i + 200));
    const { records } = await conn.query<SoqlRecord>(
      `SELECT ${select} FROM Opportunity WHERE Id IN ${list} AND SystemModstamp >= ${literal}`,
    );
    for (const r of records) {
      const renewalDate = renewalDateOf(r, renewalDateField);
      if (renewalDate !== null) changes.push({ opportunityId: r.Id, ownerId: r.OwnerId, renewalDate, systemModstamp: r.SystemModstamp });
    }
  }
  return changes;
}
