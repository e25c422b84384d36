import { SalesforceError } from './errors.ts';
import type { SalesforceGateway } from './gateway.ts';
import { sameId, soqlId } from './ids.ts';
import { soqlString } from './soql.ts';
import { query } from './records.ts';
import { withRetry } from './retry.ts';

/** The Activity field (force-app) that keys the Events the service books: one Event per meeting task, ever. */
const EVENT_EXTERNAL_ID_FIELD = 'Action_Plan_Event_Id__c';

/**
 * Creates or updates the Event keyed by `externalId`, then invites whoever of `inviteeIds` it does not invite yet
 * (EventRelation). Both steps are keyed, so a retry after a lost response, or a second run of the processor, neither
 * duplicates the Event (upsert on the external id) nor an invitee (the relations are read first, and the org refuses
 * a second relation for the same person, which counts as done).
 */
export async function upsertMeetingEvent(
  sf: SalesforceGateway,
  externalId: string,
  fields: Record<string, unknown>,
  inviteeIds: readonly string[],
): Promise<{ eventId: string; invitees: string[] }> {
  const eventId = await withRetry(
    async () => {
      const url = `/sobjects/Event/${EVENT_EXTERNAL_ID_FIELD}/${encodeURIComponent(externalId)}`;
      const result = (await sf.composite.send({ method: 'PATCH', url, body: fields })) as { id?: string } | null;
      if (result?.id) return result.id;
      // An update through upsert may answer 204 without a body: look the record up by its key.
      const [found] = await query<{ Id: string }>(
        sf,
        `SELECT Id FROM Event WHERE ${EVENT_EXTERNAL_ID_FIELD} = ${soqlString(externalId)} LIMIT 1`,
      );
      if (!found) throw new SalesforceError('upsert answered without an id', 'MISSING_RESULT', 'retryable');
      return found.Id;
    },
    { policy: sf.writeRetry, gate: sf.gate },
  );
  const invited = await query<{ RelationId: string }>(sf, `SELECT RelationId FROM EventRelation WHERE EventId = ${soqlId(eventId)}`);
  const missing = [...new Set(inviteeIds)].filter((id) => !invited.some((r) => sameId(r.RelationId, id)));
  for (const relationId of missing) {
    await withRetry(
      async () => {
        try {
          await sf.composite.send({ method: 'POST', url: '/sobjects/EventRelation', body: { EventId: eventId, RelationId: relationId } });
        } catch (err) {
          // A retried create whose first response was lost: the relation is there, which is what we wanted.
          if (!(err instanceof SalesforceError && err.code === 'DUPLICATE_VALUE')) throw err;
        }
      },
      { policy: sf.writeRetry, gate: sf.gate },
    );
  }
  return { eventId, invitees: [...invited.map((r) => r.RelationId), ...missing] };
}
