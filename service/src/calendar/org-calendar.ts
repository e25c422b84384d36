import type { Connection } from 'jsforce';
import type { Logger } from '../log.ts';
import { BusinessCalendar, countryRules, type CalendarRules } from './business-days.ts';
import { addDays, daysBetween, parseIsoDate, type IsoDate } from './dates.ts';

/** A Holiday record (Setup > Holidays) as SOQL returns it. */
export interface HolidayRecord {
  Name: string;
  IsAllDay: boolean;
  ActivityDate: IsoDate | null;
  IsRecurrence: boolean;
  RecurrenceType: string | null;
  RecurrenceInterval: number | null;
  RecurrenceStartDate: IsoDate | null;
  RecurrenceEndDateOnly: IsoDate | null;
  RecurrenceDayOfMonth: number | null;
  RecurrenceDayOfWeekMask: number | null;
  RecurrenceInstance: string | null;
  RecurrenceMonthOfYear: string | null;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const INSTANCES = ['First', 'Second', 'Third', 'Fourth'];

export const HOLIDAY_SOQL =
  'SELECT Name, IsAllDay, ActivityDate, IsRecurrence, RecurrenceType, RecurrenceInterval, RecurrenceStartDate, RecurrenceEndDateOnly, ' +
  'RecurrenceDayOfMonth, RecurrenceDayOfWeekMask, RecurrenceInstance, RecurrenceMonthOfYear FROM Holiday';
const BUSINESS_HOURS_SOQL = `SELECT Name, ${DAYS.map((d) => `${d}StartTime, ${d}EndTime`).join(', ')} FROM BusinessHours WHERE IsDefault = true`;

/** Whether a date is the `instance` (First…Fourth, Last) occurrence of its weekday in its month. */
function isNthWeekday(date: Date, instance: string | null): boolean {
  const nth = Math.floor((date.getUTCDate() - 1) / 7);
  if (instance === 'Last') return date.getUTCDate() + 7 > new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  return INSTANCES[nth] === instance;
}

/** Whether a holiday falls on a date, following Salesforce's recurrence fields. */
export function holidayFallsOn(h: HolidayRecord, date: IsoDate): boolean {
  if (!h.IsRecurrence) return h.ActivityDate === date;
  const start = h.RecurrenceStartDate ?? h.ActivityDate;
  if (!start || date < start || (h.RecurrenceEndDateOnly && date > h.RecurrenceEndDateOnly)) return false;
  const d = parseIsoDate(date);
  const s = parseIsoDate(start);
  const every = Math.max(1, h.RecurrenceInterval ?? 1);
  const onMaskDay = ((h.RecurrenceDayOfWeekMask ?? 0) & (1 << d.getUTCDay())) !== 0;
  const months = (d.getUTCFullYear() - s.getUTCFullYear()) * 12 + d.getUTCMonth() - s.getUTCMonth();
  const inMonth = MONTHS[d.getUTCMonth()] === h.RecurrenceMonthOfYear;
  switch (h.RecurrenceType) {
    case 'RecursDaily':
      return daysBetween(start, date) % every === 0;
    case 'RecursEveryWeekday':
      return d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
    case 'RecursWeekly':
      return onMaskDay && Math.floor(daysBetween(addDays(start, -s.getUTCDay()), date) / 7) % every === 0;
    case 'RecursMonthly':
      return d.getUTCDate() === h.RecurrenceDayOfMonth && months % every === 0;
    case 'RecursMonthlyNth':
      return onMaskDay && isNthWeekday(d, h.RecurrenceInstance) && months % every === 0;
    case 'RecursYearly':
      return inMonth && d.getUTCDate() === h.RecurrenceDayOfMonth;
    case 'RecursYearlyNth':
      return inMonth && onMaskDay && isNthWeekday(d, h.RecurrenceInstance);
    default:
      return false;
  }
}

/**
 * The org's calendar: working weekdays from the default business hours (a day with no hours is closed) and the
 * all-day holidays. A partial-day holiday leaves business hours, so it does not remove the day.
 */
export function orgRules(
  holidays: HolidayRecord[],
  businessHours: Record<string, unknown> | undefined,
  fallback: CalendarRules,
): CalendarRules {
  const open = businessHours
    ? DAYS.flatMap((day, i) => (businessHours[`${day}StartTime`] != null && businessHours[`${day}EndTime`] != null ? [i] : []))
    : [];
  const allDay = holidays.filter((h) => h.IsAllDay);
  return {
    source: `the org's ${businessHours ? `business hours "${String(businessHours.Name)}"` : 'calendar'} and ${allDay.length} holiday(s)`,
    // An org with no default business hours, or one closed every day, keeps the usual working week.
    workingWeekdays: open.length > 0 ? new Set(open) : fallback.workingWeekdays,
    holidaysIn: (year) => {
      const dates: IsoDate[] = [];
      for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) {
        if (allDay.some((h) => holidayFallsOn(h, d))) dates.push(d);
      }
      return dates;
    },
  };
}

/** Reads the org's Holiday records and default BusinessHours (two SOQL queries). */
async function readOrgRules(conn: Connection, fallback: CalendarRules): Promise<CalendarRules> {
  const [holidays, hours] = await Promise.all([
    conn.query<HolidayRecord>(HOLIDAY_SOQL, { autoFetch: true, maxFetch: 10_000 }),
    conn.query<Record<string, unknown>>(BUSINESS_HOURS_SOQL),
  ]);
  return orgRules(holidays.records, hours.records[0], fallback);
}

/** How long a copy of the org's calendar is used before it is read again. */
const ORG_CALENDAR_TTL_MS = 60 * 60 * 1000;

/**
 * The business calendar for a Salesforce connection: the org's, cached and re-read hourly by `refresh`; when the
 * org's calendar cannot be read, HOLIDAY_COUNTRY's public holidays (or weekends only).
 */
export class OrgBusinessCalendar extends BusinessCalendar {
  private readAt: number | undefined;

  private constructor(
    private readonly conn: Connection,
    private readonly fallback: CalendarRules,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    super(fallback);
  }

  static async load(
    conn: Connection,
    opts: { country?: string; region?: string; log: Logger; now?: () => number },
  ): Promise<OrgBusinessCalendar> {
    const calendar = new OrgBusinessCalendar(conn, countryRules(opts.country, opts.region), opts.log, opts.now ?? Date.now);
    await calendar.refresh();
    return calendar;
  }

  /** Re-reads the org's calendar once the cached copy is older than an hour; keeps the last good copy on failure. */
  override async refresh(): Promise<void> {
    if (this.readAt !== undefined && this.now() - this.readAt < ORG_CALENDAR_TTL_MS) return;
    // Tried at most hourly, whether it works or not.
    this.readAt = this.now();
    try {
      this.replaceRules(await readOrgRules(this.conn, this.fallback));
    } catch (err) {
      this.log.warn("cannot read the org's holidays and business hours; using the fallback calendar", {
        error: (err as Error).message,
        calendar: this.source,
      });
    }
  }
}
