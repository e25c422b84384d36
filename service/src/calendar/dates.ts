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
