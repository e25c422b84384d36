import { LRUCache } from 'lru-cache';
import Holidays from 'date-holidays';
import { addDays, parseIsoDate, type IsoDate } from './dates.ts';

/** What makes a day a business day: the working weekdays (0 = Sunday) and the holidays of a year. */
export interface CalendarRules {
  /** Where the rules come from, for logs: the org, a country's public holidays, or weekends only. */
  source: string;
  workingWeekdays: ReadonlySet<number>;
  holidaysIn(year: number): IsoDate[];
}

const MONDAY_TO_FRIDAY: ReadonlySet<number> = new Set([1, 2, 3, 4, 5]);

/** Monday to Friday minus a country's (and optional region's) public holidays, from the maintained `date-holidays`. */
export function countryRules(country?: string, state?: string): CalendarRules {
  const holidays = country ? new Holidays(country, state ?? '', { types: ['public'] }) : undefined;
  return {
    source: country ? `public holidays of ${country}${state ? `-${state}` : ''}` : 'weekends only',
    workingWeekdays: MONDAY_TO_FRIDAY,
    holidaysIn: (year) => (holidays?.getHolidays(year) ?? []).map((h) => h.date.slice(0, 10)),
  };
}

/**
 * Business days: the working weekdays minus the holidays. The rules come from the Salesforce org (its Holiday
 * records and default business hours, see org-calendar.ts) or, as the fallback, from a configured country.
 */
export class BusinessCalendar {
  private rules: CalendarRules;
  // Holidays by year: a few years are in use at once; bounded all the same.
  private readonly cache = new LRUCache<number, Set<IsoDate>>({ max: 50 });

  constructor(country?: string | CalendarRules, state?: string) {
    this.rules = typeof country === 'object' ? country : countryRules(country, state);
  }

  /** Where today's rules come from. */
  get source(): string {
    return this.rules.source;
  }

  /** Re-reads rules that live elsewhere (the org's calendar); a country's calendar has nothing to re-read. */
  async refresh(): Promise<void> {}

  /** Replaces the rules (a refreshed copy of the org's calendar). */
  replaceRules(rules: CalendarRules): void {
    this.rules = rules;
    this.cache.clear();
  }

  private holidaysOf(year: number): Set<IsoDate> {
    let set = this.cache.get(year);
    if (!set) {
      set = new Set(this.rules.holidaysIn(year));
      this.cache.set(year, set);
    }
    return set;
  }

  isHoliday(date: IsoDate): boolean {
    return this.holidaysOf(Number(date.slice(0, 4))).has(date);
  }

  isBusinessDay(date: IsoDate): boolean {
    return this.rules.workingWeekdays.has(parseIsoDate(date).getUTCDay()) && !this.isHoliday(date);
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
    for (let left = Math.abs(n); left > 0;) {
      d = addDays(d, step);
      if (this.isBusinessDay(d)) left--;
    }
    return d;
  }

  /** Signed count of business days from `from` to `to` (positive when `to` is later): `add(from, n)` reaches `to`'s business day. */
  businessDaysBetween(from: IsoDate, to: IsoDate): number {
    if (from === to) return 0;
    const [a, b, sign] = from < to ? [from, to, 1] : [to, from, -1];
    let n = 0;
    for (let d = a; d < b;) {
      d = this.add(d, 1);
      if (d <= b) n++;
    }
    return sign * n;
  }
}
