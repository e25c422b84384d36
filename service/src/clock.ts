import { toIsoDate, type IsoDate } from './calendar/dates.ts';

/**
 * The one source of business time for the service: due dates, stage windows, the completion sync's cursor, snooze
 * checks. The queue's leases and retry delays are durations measured on the database server's clock instead, so
 * that several instances with skewed clocks agree on them.
 */
interface Clock {
  now(): Date;
  /** Today's date (UTC). */
  today(): IsoDate;
}

/** The machine's clock. */
const systemClock: Clock = {
  now: () => new Date(),
  today: () => toIsoDate(new Date()),
};

/**
 * A clock that starts at `start` and runs on in real time from there: what `TODAY` (the demo) and the tests pin.
 * @example clockFrom(new Date('2026-11-25T12:00:00Z')).today() === '2026-11-25'
 */
export function clockFrom(start: Date): Clock {
  const offset = start.getTime() - systemClock.now().getTime();
  const now = () => new Date(systemClock.now().getTime() + offset);
  return { now, today: () => toIsoDate(now()) };
}

/** Midday UTC of a pinned date: the day then lasts 12 hours in either direction. */
export const middayOf = (date: IsoDate): Date => new Date(`${date}T12:00:00.000Z`);

/** The clock of a configuration: pinned to `TODAY` at midday UTC when set, else the machine's clock. */
export function clockFor(today?: IsoDate): Clock {
  return today ? clockFrom(middayOf(today)) : systemClock;
}

/**
 * Real time in milliseconds, never pinned: for what a remote party checks against its own clock (a JWT's `iat`, a
 * webhook signature's age, an HTTP `Retry-After` date) and for local waits and cache lifetimes. Business time is
 * `deps.now()`.
 */
export const wallClockMs = (): number => Date.now();
