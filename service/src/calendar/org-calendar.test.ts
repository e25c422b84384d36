import { describe, expect, it } from 'vitest';
import { BusinessCalendar, countryRules } from './business-days.ts';
import { holidayFallsOn, orgRules, type HolidayRecord } from './org-calendar.ts';

const MONDAY = 2;
const THURSDAY = 16;
const base: HolidayRecord = {
  Name: 'x',
  IsAllDay: true,
  ActivityDate: '2020-01-01',
  IsRecurrence: true,
  RecurrenceType: null,
  RecurrenceInterval: null,
  RecurrenceStartDate: '2020-01-01',
  RecurrenceEndDateOnly: null,
  RecurrenceDayOfMonth: null,
  RecurrenceDayOfWeekMask: null,
  RecurrenceInstance: null,
  RecurrenceMonthOfYear: null,
};
const holiday = (fields: Partial<HolidayRecord>): HolidayRecord => ({ ...base, ...fields });
const christmas = holiday({
  Name: 'Christmas Day',
  RecurrenceType: 'RecursYearly',
  RecurrenceMonthOfYear: 'December',
  RecurrenceDayOfMonth: 25,
});
const thanksgiving = holiday({
  Name: 'Thanksgiving',
  RecurrenceType: 'RecursYearlyNth',
  RecurrenceInstance: 'Fourth',
  RecurrenceDayOfWeekMask: THURSDAY,
  RecurrenceMonthOfYear: 'November',
});
const memorialDay = holiday({
  Name: 'Memorial Day',
  RecurrenceType: 'RecursYearlyNth',
  RecurrenceInstance: 'Last',
  RecurrenceDayOfWeekMask: MONDAY,
  RecurrenceMonthOfYear: 'May',
});
const weekdayHours = {
  Name: 'Default',
  ...Object.fromEntries(
    ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'].flatMap((d) => [
      [`${d}StartTime`, '08:00:00.000Z'],
      [`${d}EndTime`, '18:00:00.000Z'],
    ]),
  ),
};

describe('holidayFallsOn', () => {
  it('follows yearly, yearly-nth and last-weekday recurrences', () => {
    expect(holidayFallsOn(christmas, '2026-12-25')).toBe(true);
    expect(holidayFallsOn(christmas, '2026-12-24')).toBe(false);
    expect(holidayFallsOn(thanksgiving, '2026-11-26')).toBe(true);
    expect(holidayFallsOn(thanksgiving, '2026-11-19')).toBe(false);
    expect(holidayFallsOn(memorialDay, '2026-05-25')).toBe(true);
    expect(holidayFallsOn(memorialDay, '2026-05-18')).toBe(false);
  });

  it('follows one-off dates, monthly and weekly recurrences, and the recurrence window', () => {
    expect(holidayFallsOn(holiday({ IsRecurrence: false, ActivityDate: '2026-12-24' }), '2026-12-24')).toBe(true);
    const monthly = holiday({
      RecurrenceType: 'RecursMonthly',
      RecurrenceDayOfMonth: 1,
      RecurrenceInterval: 2,
      RecurrenceStartDate: '2026-01-01',
    });
    expect(['2026-01-01', '2026-02-01', '2026-03-01'].map((d) => holidayFallsOn(monthly, d))).toEqual([true, false, true]);
    const fridays = holiday({
      RecurrenceType: 'RecursWeekly',
      RecurrenceDayOfWeekMask: 32,
      RecurrenceStartDate: '2026-11-01',
      RecurrenceEndDateOnly: '2026-11-30',
    });
    expect(['2026-11-27', '2026-11-26', '2026-12-04'].map((d) => holidayFallsOn(fridays, d))).toEqual([true, false, false]);
  });
});

describe('a business calendar from the org', () => {
  const fallback = countryRules();

  it("skips the org's all-day holidays and the days its default business hours are closed", () => {
    const calendar = new BusinessCalendar(orgRules([christmas, thanksgiving], weekdayHours, fallback));
    expect(calendar.isBusinessDay('2026-12-25')).toBe(false);
    expect(calendar.add('2026-11-25', 1)).toBe('2026-11-27');
    expect(calendar.onOrAfter('2026-12-25')).toBe('2026-12-28');
  });

  it('counts a Saturday the business hours open, and keeps days with only a partial-day holiday', () => {
    const hours = { ...weekdayHours, SaturdayStartTime: '10:00:00.000Z', SaturdayEndTime: '14:00:00.000Z' };
    const earlyClose = holiday({ IsAllDay: false, IsRecurrence: false, ActivityDate: '2026-12-24' });
    const calendar = new BusinessCalendar(orgRules([earlyClose], hours, fallback));
    expect(calendar.isBusinessDay('2026-11-28')).toBe(true);
    expect(calendar.isBusinessDay('2026-11-29')).toBe(false);
    expect(calendar.isBusinessDay('2026-12-24')).toBe(true);
  });

  it('keeps Monday to Friday when the org has no default business hours', () => {
    const calendar = new BusinessCalendar(orgRules([], undefined, fallback));
    expect(calendar.add('2026-11-27', 1)).toBe('2026-11-30');
  });
});
