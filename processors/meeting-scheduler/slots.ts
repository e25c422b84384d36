import { holidayFallsOn, type HolidayRecord } from '../../service/src/calendar/org-calendar.ts';
import { localTime, zonedInstant } from './zoned-time.ts';

/**
 * Meeting slots inside the org's default business hours: each weekday's own opening and closing time, read in the
 * business hours' time zone (a BusinessHours time such as `08:00:00.000Z` is a local time there, not UTC), skipping
 * all-day holidays and the CSM's busy Events, from now until the end of the meeting task's due date.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MINUTE_MS = 60_000;
/** Slots start on the half hour, as people book meetings. */
const STEP_MINUTES = 30;
/** How far ahead the finder looks at most, whatever the due date. */
const MAX_DAYS = 60;

export interface BusyInterval {
  start: number;
  end: number;
}

export interface SlotRequest {
  /** The default BusinessHours record: TimeZoneSidKey and the per-day `…StartTime`/`…EndTime`. */
  businessHours: Record<string, unknown>;
  holidays: HolidayRecord[];
  busy: BusyInterval[];
  /** The earliest instant a slot may start (the service's clock). */
  now: number;
  /** The last local date a slot may be on. */
  dueDate: string;
  durationMinutes: number;
  count: number;
}

export interface MeetingSlot {
  /** UTC instants, as Salesforce's StartDateTime/EndDateTime take them. */
  start: string;
  end: string;
  /** The local date and time in the business hours' zone, for people. */
  localDate: string;
  localTime: string;
  timeZone: string;
}

/** `08:30:00.000Z` as minutes since midnight; null for a closed day. */
function minutesOf(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{2}):(\d{2})/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The opening and closing minutes of a weekday; a day open around the clock is stored as 00:00 to 00:00. */
function hoursOn(businessHours: Record<string, unknown>, weekday: number): { open: number; close: number } | undefined {
  const open = minutesOf(businessHours[`${DAYS[weekday]}StartTime`]);
  const close = minutesOf(businessHours[`${DAYS[weekday]}EndTime`]);
  if (open === null || close === null) return undefined;
  return { open, close: close === 0 ? 1440 : close };
}

const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The slot starting at local minute `t` of `date`, when it lies inside that day's hours and is free. */
function slotAt(r: SlotRequest, date: string, t: number): MeetingSlot | undefined {
  const timeZone = String(r.businessHours.TimeZoneSidKey);
  const hours = hoursOn(r.businessHours, new Date(`${date}T00:00:00Z`).getUTCDay());
  if (!hours || date > r.dueDate || t < hours.open || t + r.durationMinutes > hours.close) return undefined;
  if (r.holidays.some((h) => h.IsAllDay && holidayFallsOn(h, date))) return undefined;
  const start = zonedInstant(date, t, timeZone);
  const end = start + r.durationMinutes * MINUTE_MS;
  if (start < r.now || r.busy.some((b) => b.start < end && b.end > start)) return undefined;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString(), localDate: date, localTime: hhmm(t), timeZone };
}

/**
 * Up to `count` slots, the earliest free one on each of the next open days (one a day, so the customer gets a real
 * choice rather than three adjacent half hours).
 */
export function proposeSlots(r: SlotRequest): MeetingSlot[] {
  const slots: MeetingSlot[] = [];
  let date = localTime(r.now, String(r.businessHours.TimeZoneSidKey)).date;
  for (let i = 0; i < MAX_DAYS && date <= r.dueDate && slots.length < r.count; i++, date = nextDate(date)) {
    for (let t = 0; t < 1440; t += STEP_MINUTES) {
      const slot = slotAt(r, date, t);
      if (slot) {
        slots.push(slot);
        break;
      }
    }
  }
  return slots;
}

/** The slot a CSM picked (its UTC start), when it still fits: inside business hours, not a holiday, free, to come. */
export function pickedSlot(r: SlotRequest, startIso: string): MeetingSlot | undefined {
  const local = localTime(Date.parse(startIso), String(r.businessHours.TimeZoneSidKey));
  const slot = slotAt(r, local.date, local.minutes);
  return slot && Date.parse(slot.start) === Date.parse(startIso) ? slot : undefined;
}
