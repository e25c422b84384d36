// Local Salesforce org emulator (not Salesforce): the org's clock and Salesforce's date formats.
// The emulated org runs in UTC.

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export interface OrgClock {
  /** Milliseconds since the epoch, as the emulated org sees it. */
  now(): number;
  /** Today's date in the org, `YYYY-MM-DD`. */
  today(): string;
  /** Moves the org's clock forward (a test of what the org keeps for a while, such as change events for 72 hours). */
  advance(ms: number): void;
}

/** A clock that starts at `start` (default: the real time) and then runs in real time. */
export function createClock(start?: Date): OrgClock {
  const realStart = Date.now();
  let offset = start ? start.getTime() - realStart : 0;
  const now = () => Date.now() + offset;
  return {
    now,
    today: () => formatDate(now()),
    advance: (ms) => {
      if (!(ms >= 0)) throw new Error('The org clock only moves forward');
      offset += ms;
    },
  };
}

/** `2026-11-25T10:00:00.000+0000`, the way Salesforce writes datetimes (second precision). */
export function formatDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+0000');
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms of a `YYYY-MM-DD` date at 00:00 UTC, or undefined when it is not a real date. */
export function parseDate(value: string): number | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatDate(ms) === value ? ms : undefined;
}

/** Epoch ms of an ISO 8601 datetime (`Z`, `+0000` or `+00:00`; no zone means UTC), or undefined. */
export function parseDateTime(value: string): number | undefined {
  const m = DATETIME.exec(value);
  if (!m || parseDate(m[1]!) === undefined) return undefined;
  const zone = !m[6] || m[6] === 'Z' ? 'Z' : `${m[6].slice(0, 3)}:${m[6].slice(-2)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}.${(m[5] ?? '0').padEnd(3, '0')}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function addDays(isoDate: string, days: number): string {
  return formatDate(parseDate(isoDate)! + days * DAY_MS);
}

export { DAY_MS };
