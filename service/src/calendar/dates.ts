import { z } from 'zod';

/** Calendar dates are ISO `YYYY-MM-DD` strings, interpreted as UTC days. */
export type IsoDate = string;

const DAY_MS = 86_400_000;

export function toIsoDate(d: Date): IsoDate {
  return d.toISOString().slice(0, 10);
}

export function parseIsoDate(date: IsoDate): Date {
  return new Date(`${date.slice(0, 10)}T00:00:00.000Z`);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return toIsoDate(new Date(parseIsoDate(date).getTime() + days * DAY_MS));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((parseIsoDate(to).getTime() - parseIsoDate(from).getTime()) / DAY_MS);
}

/**
 * A real calendar date inside the range Salesforce stores (1700-01-01 to 4000-12-31). Impossible dates such as
 * `2026-02-30` are refused, never rolled over into the next month.
 */
export const IsoDateSchema = z.iso
  .date('must be a date like 2026-12-01 (a real calendar day)')
  .refine((d) => d >= '1700-01-01' && d <= '4000-12-31', 'must be between 1700-01-01 and 4000-12-31');

/** The instants Salesforce stores (Data Loader's "Data Import Dates": 1700-01-01T00:00:00Z to 4000-12-31T00:00:00Z). */
const EARLIEST_INSTANT = Date.parse('1700-01-01T00:00:00Z');
const LATEST_INSTANT = Date.parse('4000-12-31T00:00:00Z');

/**
 * An ISO date-time with an offset (`2026-12-01T09:00:00Z`, `…-05:00`) whose instant Salesforce and PostgreSQL can
 * store: the offset is applied before the range is checked, so `9999-12-31T23:59:59-23:59` (year 10000 in UTC) is
 * refused. Every date-time input of the API uses it.
 */
export const IsoDateTimeSchema = z.iso
  .datetime({ offset: true, message: 'must be a date-time with an offset, like 2026-12-01T09:00:00Z' })
  .refine((v) => {
    const at = Date.parse(v);
    return at >= EARLIEST_INSTANT && at <= LATEST_INSTANT;
  }, 'must be between 1700-01-01T00:00:00Z and 4000-12-31T00:00:00Z');

/** An event time in Unix seconds (a provider's webhook), inside the same range as IsoDateTimeSchema. */
export const UnixSecondsSchema = z
  .number()
  .min(0, 'must be unix seconds')
  .max(LATEST_INSTANT / 1000, 'must be unix seconds up to 4000-12-31T00:00:00Z');
