import { HOLIDAY_SOQL, type HolidayRecord } from '../../service/src/calendar/org-calendar.ts';
import { soqlId } from '../../service/src/salesforce/ids.ts';
import { soqlDateTime } from '../../service/src/salesforce/soql.ts';
import type { ProcessorServices } from '../port.ts';
import { pickedSlot, proposeSlots, type BusyInterval, type MeetingSlot, type SlotRequest } from './slots.ts';
import { isTimeZone } from './zoned-time.ts';
import { PermanentError } from '../port.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const BUSINESS_HOURS_SOQL = `SELECT TimeZoneSidKey, ${DAYS.map((d) => `${d}StartTime, ${d}EndTime`).join(', ')} FROM BusinessHours WHERE IsDefault = true LIMIT 1`;

/** The CSM's Events that overlap a window: one SOQL on Event (Free time does not block a slot). */
const busySoql = (userId: string, from: string, until: string) =>
  `SELECT StartDateTime, EndDateTime, Action_Plan_Event_Id__c FROM Event WHERE OwnerId = ${soqlId(userId)} AND StartDateTime < ${until} AND EndDateTime > ${from} AND ShowAs != 'Free'`;

interface SlotQuestion {
  csmUserId: string;
  /** The last local date a slot may be on (the meeting task's due date). */
  dueDate: string;
  durationMinutes: number;
  /** The key of the Event this meeting already booked, if any: its own time does not block a slot. */
  ownEventKey: string;
}

/**
 * Reads the org's default business hours, its holidays and the CSM's Events in the window (three SOQL reads), and
 * proposes slots. A missing default or an unknown time zone is a data problem retrying cannot fix.
 */
async function slotRequest(services: ProcessorServices, q: SlotQuestion): Promise<SlotRequest> {
  const sf = services.salesforce;
  const [businessHours] = await sf.query<Record<string, unknown>>(BUSINESS_HOURS_SOQL);
  if (!businessHours) throw new PermanentError('the org has no default business hours', 'NO_BUSINESS_HOURS');
  if (!isTimeZone(String(businessHours.TimeZoneSidKey)))
    throw new PermanentError(`unknown business hours time zone ${String(businessHours.TimeZoneSidKey)}`, 'UNKNOWN_TIME_ZONE');
  const now = services.now().getTime();
  // The window runs a day past the due date in UTC, which covers the due date's end in any zone.
  const until = Date.parse(`${q.dueDate}T00:00:00Z`) + 2 * 86_400_000;
  const [holidays, events] = await Promise.all([
    sf.query<HolidayRecord & Record<string, unknown>>(HOLIDAY_SOQL),
    sf.query<{ StartDateTime: string; EndDateTime: string; Action_Plan_Event_Id__c: string | null }>(
      busySoql(q.csmUserId, soqlDateTime(now), soqlDateTime(until)),
    ),
  ]);
  const busy: BusyInterval[] = events
    .filter((e) => e.Action_Plan_Event_Id__c !== q.ownEventKey)
    .map((e) => ({ start: Date.parse(toIso(e.StartDateTime)), end: Date.parse(toIso(e.EndDateTime)) }));
  return { businessHours, holidays, busy, now, dueDate: q.dueDate, durationMinutes: q.durationMinutes, count: 3 };
}

/** Three slots for a meeting (fewer when the due date leaves fewer open days). */
export async function findSlots(services: ProcessorServices, q: SlotQuestion): Promise<MeetingSlot[]> {
  return proposeSlots(await slotRequest(services, q));
}

/** The proposed slots, and the picked one when it still fits (undefined when it no longer does). */
export async function findSlotsAndPick(
  services: ProcessorServices,
  q: SlotQuestion,
  pick: string | null,
): Promise<{ slots: MeetingSlot[]; picked: MeetingSlot | undefined }> {
  const r = await slotRequest(services, q);
  const slots = proposeSlots(r);
  return { slots, picked: pick ? pickedSlot(r, pick) : slots[0] };
}

/** Salesforce writes `+0000`; Date.parse wants `Z` or `+00:00`. */
const toIso = (value: string) => value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
