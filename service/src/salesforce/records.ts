import { recordError, SalesforceError, type SaveResult } from './errors.ts';
import { withRetry } from './retry.ts';
import { soqlString } from './soql.ts';
import type { SalesforceGateway } from './gateway.ts';
import { EXTERNAL_ID_FIELD } from './task-mirror.ts';

/**
 * The record reads and writes behind the processors' Salesforce port: every write is keyed (an id, or the Task external id) and retried.
 * Reads and writes go through the gateway's composite batcher, so the tasks of a batch share API calls.
 */

/** Reads records with SOQL, retrying what is worth retrying. */
export async function query<T extends Record<string, unknown>>(sf: SalesforceGateway, soql: string): Promise<T[]> {
  return withRetry(() => sf.query<T>(soql), { policy: sf.readRetry });
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
  const { Id, ...values } = fields;
  const url = `/sobjects/${type}/${encodeURIComponent(Id)}`;
  await sf.traced(type, 'update', () =>
    withRetry(() => sf.composite.send({ method: 'PATCH', url, body: values }), { policy: sf.writeRetry, gate: sf.gate }),
  );
}

/** Creates or updates the Task keyed by `externalId` (so a retry after a lost response finds, not duplicates, it). */
export async function upsertTask(sf: SalesforceGateway, externalId: string, fields: Record<string, unknown>): Promise<string> {
  return sf.traced('Task', 'upsert', () => upsertTaskOnce(sf, externalId, fields));
}

function upsertTaskOnce(sf: SalesforceGateway, externalId: string, fields: Record<string, unknown>): Promise<string> {
  return withRetry(
    async () => {
      const url = `/sobjects/Task/${EXTERNAL_ID_FIELD}/${encodeURIComponent(externalId)}`;
      const values = Object.fromEntries(Object.entries(fields).filter(([field]) => field !== EXTERNAL_ID_FIELD));
      const id = throwIfFailed(await sf.composite.send({ method: 'PATCH', url, body: values }));
      if (id) return id;
      // An update through upsert may answer 204 without a body: look the record up by its key.
      const [found] = await query<{ Id: string }>(sf, `SELECT Id FROM Task WHERE ${EXTERNAL_ID_FIELD} = ${soqlString(externalId)} LIMIT 1`);
      if (!found) throw new SalesforceError('upsert answered without an id', 'MISSING_RESULT', 'retryable');
      return found.Id;
    },
    { policy: sf.writeRetry, gate: sf.gate },
  );
}
