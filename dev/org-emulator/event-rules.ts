// Local Salesforce org emulator (not Salesforce): the rules the org applies to an Event's times and to its invitees
// (EventRelation), as the Object Reference documents them. Each rule is a row of README.md's conformance table (EV…).

import { recordError } from './errors.ts';
import { formatDateTime, parseDate, parseDateTime } from './time.ts';

type Row = Record<string, unknown>;

/** What a record rule sees: the record as it will be stored, the fields the request wrote, and the other rows. */
export interface RecordChange {
  operation: 'create' | 'update';
  written: string[];
  /** Live records of a type, to check a record against its siblings. */
  list: (type: string) => Row[];
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

const ms = (value: unknown) => (typeof value === 'string' ? parseDateTime(value) : undefined);

/**
 * EV1–EV3. An all-day event's date is ActivityDate (EV3); its times are that date at midnight UTC and its length whole
 * days (one when neither EndDateTime nor DurationInMinutes says otherwise). Any other event needs a start and an end
 * or a duration (EV1); both given must agree (EV1), and the end may not come before the start (EV2). The org fills the
 * one left out, keeps the duration when only the start moves, and derives ActivityDate/ActivityDateTime from the start.
 */
export function eventTimes(record: Row, change: RecordChange): void {
  const wrote = (field: string) => change.written.includes(field);
  // ActivityDateTime is the API's older name for the start: writing it moves StartDateTime.
  if (wrote('ActivityDateTime') && !wrote('StartDateTime')) record.StartDateTime = record.ActivityDateTime;
  if (record.IsAllDayEvent === true) return allDayTimes(record, wrote);
  const start = ms(record.StartDateTime);
  if (start === undefined) {
    throw recordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [StartDateTime]', ['StartDateTime']);
  }
  const endGiven = change.operation === 'create' ? record.EndDateTime != null : wrote('EndDateTime');
  const durationGiven = change.operation === 'create' ? record.DurationInMinutes != null : wrote('DurationInMinutes');
  let minutes: number;
  if (endGiven && durationGiven) {
    minutes = minutesBetween(start, ms(record.EndDateTime)!);
    if (minutes !== record.DurationInMinutes) {
      throw recordError(
        'FIELD_INTEGRITY_EXCEPTION',
        `DurationInMinutes (${String(record.DurationInMinutes)}) does not match StartDateTime to EndDateTime (${minutes} minutes)`,
        ['DurationInMinutes', 'EndDateTime'],
      );
    }
  } else if (endGiven) {
    minutes = minutesBetween(start, ms(record.EndDateTime)!);
  } else if (durationGiven || record.DurationInMinutes != null) {
    minutes = Number(record.DurationInMinutes);
  } else {
    throw recordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [DurationInMinutes]', ['DurationInMinutes', 'EndDateTime']);
  }
  if (minutes < 0) {
    throw recordError('FIELD_INTEGRITY_EXCEPTION', 'EndDateTime: the end of an event cannot be before its start', ['EndDateTime']);
  }
  record.DurationInMinutes = minutes;
  record.EndDateTime = formatDateTime(start + minutes * MINUTE_MS);
  record.StartDateTime = formatDateTime(start);
  record.ActivityDateTime = record.StartDateTime;
  record.ActivityDate = String(record.StartDateTime).slice(0, 10);
}

function allDayTimes(record: Row, wrote: (field: string) => boolean): void {
  // A start written with the flag carries the date when ActivityDate is not given.
  if (!wrote('ActivityDate') && wrote('StartDateTime') && typeof record.StartDateTime === 'string') {
    record.ActivityDate = record.StartDateTime.slice(0, 10);
  }
  const day = typeof record.ActivityDate === 'string' ? parseDate(record.ActivityDate) : undefined;
  if (day === undefined) {
    throw recordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [ActivityDate]', ['ActivityDate']);
  }
  const end = wrote('EndDateTime') ? ms(record.EndDateTime) : undefined;
  const minutes =
    end !== undefined ? minutesBetween(day, end) : wrote('DurationInMinutes') ? Number(record.DurationInMinutes) : DAY_MINUTES;
  if (minutes <= 0) {
    throw recordError('FIELD_INTEGRITY_EXCEPTION', 'EndDateTime: the end of an event cannot be before its start', ['EndDateTime']);
  }
  // Whole days: an all-day event ends at the end of its last day.
  const days = Math.ceil(minutes / DAY_MINUTES);
  record.StartDateTime = formatDateTime(day);
  record.ActivityDateTime = null;
  record.DurationInMinutes = days * DAY_MINUTES;
  record.EndDateTime = formatDateTime(day + days * DAY_MINUTES * MINUTE_MS);
}

const minutesBetween = (from: number, to: number) => Math.round((to - from) / MINUTE_MS);

/** EV5. One EventRelation per event and person: a second one for the same pair is refused. */
export function eventRelationUnique(record: Row, change: RecordChange): void {
  const clash = change
    .list('EventRelation')
    .find((r) => r.EventId === record.EventId && r.RelationId === record.RelationId && r.Id !== record.Id);
  if (clash) {
    throw recordError('DUPLICATE_VALUE', `duplicate value found: RelationId duplicates value on record with id: ${String(clash.Id)}`, [
      'RelationId',
    ]);
  }
}
