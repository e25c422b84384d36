import Holidays from 'date-holidays';
import { addDays, parseIsoDate, type IsoDate } from './dates.ts';

/**
 * Business days: Monday to Friday, minus the public holidays of a configured country
 * (and optional state/region), from the maintained `date-holidays` calendar.
 */
export class BusinessCalendar {
  private readonly holidays: Holidays | undefined;
  private readonly cache = new Map<number, Set<IsoDate>>();

  constructor(country?: string, state?: string) {
    this.holidays = country ? new Holidays(country, state ?? '', { types: ['public'] }) : undefined;
  }

  private holidaysOf(year: number): Set<IsoDate> {
    let set = this.cache.get(year);
    if (!set) {
      set = new Set((this.holidays?.getHolidays(year) ?? []).map((h) => h.date.slice(0, 10)));
      this.cache.set(year, set);
    }
    return set;
  }

  isHoliday(date: IsoDate): boolean {
    return this.holidaysOf(Number(date.slice(0, 4))).has(date);
  }

  isBusinessDay(date: IsoDate): boolean {
    const weekday = parseIsoDate(date).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !this.isHoliday(date);
  }

  /** The date itself if it is a business day, else the next one. */
  onOrAfter(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isBusinessDay(d)) d = addDays(d, 1);
    return d;
  }

  /** The date itself if it is a business day, else the previous one. */
  onOrBefore(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isBusinessDay(d)) d = addDays(d, -1);
    return d;
  }

  /** Moves `n` business days forward (n > 0) or backward (n < 0). `add('2026-11-27', 1)` is the next Monday. */
  add(date: IsoDate, n: number): IsoDate {
    const step = n < 0 ? -1 : 1;
    let d = date;
    for (let left = Math.abs(n); left > 0; ) {
      d = addDays(d, step);
      if (this.isBusinessDay(d)) left--;
    }
    return d;
  }
}
