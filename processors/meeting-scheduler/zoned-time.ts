/**
 * Wall-clock time in an IANA time zone, through Node's `Intl` (its ICU time zone data ships and is updated with Node),
 * so the slot finder needs no time zone library: it asks only "what is the local date and time of this instant" and
 * "which instant is this local time", both exact across daylight-saving changes.
 */

const MINUTE_MS = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar date (`YYYY-MM-DD`) and minutes since local midnight of an instant in a time zone. */
export function localTime(instantMs: number, timeZone: string): { date: string; minutes: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instantMs)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Minutes the zone is ahead of UTC at an instant (New York in winter: -300). */
function offsetMinutes(instantMs: number, timeZone: string): number {
  const { date, minutes } = localTime(instantMs, timeZone);
  const localAsUtc = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE_MS;
  return Math.round((localAsUtc - Math.floor(instantMs / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
}

/**
 * The instant of a local date and time (minutes since midnight) in a time zone. The offset is taken twice: once at
 * a first guess and again at the result, which settles on the right side of a daylight-saving change.
 */
export function zonedInstant(date: string, minutes: number, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE_MS;
  const first = wall - offsetMinutes(wall, timeZone) * MINUTE_MS;
  return wall - offsetMinutes(first, timeZone) * MINUTE_MS;
}

/** Whether the runtime knows a time zone (a BusinessHours TimeZoneSidKey is an IANA name). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}
