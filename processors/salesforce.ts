import { recordError, SalesforceError, type SaveResult } from '../service/src/salesforce/errors.ts';
import { withRetry } from '../service/src/salesforce/retry.ts';
import type { SalesforceGateway } from '../service/src/salesforce/gateway.ts';
import { EXTERNAL_ID_FIELD } from '../service/src/salesforce/task-mirror.ts';

/** Salesforce helpers shared by the processors: every write is keyed (an id, or the Task external id) and retried. */

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** A SOQL id literal; anything that is not an id is refused rather than quoted. */
export function soqlId(id: string): string {
  if (!ID.test(id)) throw new SalesforceError(`not a Salesforce id: ${JSON.stringify(id).slice(0, 40)}`, 'MALFORMED_ID', 'permanent');
  return `'${id}'`;
}

export async function query<T extends Record<string, any>>(sf: SalesforceGateway, soql: string): Promise<T[]> {
  const res = await withRetry(async () => await sf.conn.query<T>(soql), { policy: sf.readRetry });
  return res.records;
}

function throwIfFailed(result: unknown): string | undefined {
  const r = (Array.isArray(result) ? result[0] : result) as SaveResult | undefined;
  if (!r) return undefined;
  const error = recordError(r);
  if (error) throw error;
  return r.id ?? undefined;
}

/** Updates a record by id (safe to repeat), retrying row locks, timeouts and unavailability. */
export async function updateRecord(sf: SalesforceGateway, type: string, fields: Record<string, unknown> & { Id: string }): Promise<void> {
  await withRetry(async () => throwIfFailed(await sf.conn.sobject(type).update(fields as never)), { policy: sf.writeRetry, gate: sf.gate });
}

/** Creates or updates the Task keyed by `externalId` (so a retry after a lost response finds, not duplicates, it). */
export async function upsertTask(sf: SalesforceGateway, externalId: string, fields: Record<string, unknown>): Promise<string> {
  return withRetry(
    async () => {
      const result = await sf.conn.sobject('Task').upsert({ ...fields, [EXTERNAL_ID_FIELD]: externalId } as never, EXTERNAL_ID_FIELD);
      const id = throwIfFailed(result);
      if (id) return id;
      // An update through upsert may answer 204 without a body: look the record up by its key.
      const [found] = await query<{ Id: string }>(sf, `SELECT Id FROM Task WHERE ${EXTERNAL_ID_FIELD} = '${externalId.replace(/[\\']/g, '')}' LIMIT 1`);
      if (!found) throw new SalesforceError('upsert answered without an id', 'MISSING_RESULT', 'retryable');
      return found.Id;
    },
    { policy: sf.writeRetry, gate: sf.gate },
  );
}
