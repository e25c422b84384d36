// The service counts business days with the org's calendar (Holiday records, default BusinessHours), read over the
// real jsforce client from the local org emulator (not Salesforce), and falls back to HOLIDAY_COUNTRY.

import { afterEach, describe, expect, it } from 'vitest';
import { OrgBusinessCalendar } from '../../service/src/calendar/org-calendar.ts';
import { nextWorkflowDate } from '../../service/src/plan/window.ts';
import { createLogger } from '../../service/src/log.ts';
import { connectSalesforce } from '../../service/src/salesforce/connection.ts';
import { loadStages, renewalStageFor } from '../../service/src/stages/stages.ts';
import { type OrgEmulator } from '../../dev/org-emulator/index.ts';
import { startDemoOrg } from '../../dev/demo-seed/index.ts';

const TOKEN = 'calendar-test-token';
let org: OrgEmulator;
afterEach(() => org?.close());

async function calendarOf(opts: { country?: string; now?: () => number } = {}) {
  org ??= await startDemoOrg({ accessToken: TOKEN, today: new Date('2026-11-25T12:00:00Z') });
  const conn = await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: org.url, accessToken: TOKEN });
  return OrgBusinessCalendar.load(conn, { ...opts, log: createLogger('silent') });
}

describe('the business calendar of a connected org', () => {
  it("skips the org's holidays with no HOLIDAY_COUNTRY set, reading them with two SOQL queries", async () => {
    org = await startDemoOrg({ accessToken: TOKEN, today: new Date('2026-11-25T12:00:00Z') });
    const calendar = await calendarOf();
    expect(org.requests.map((r) => r.soql?.split(' FROM ')[1]?.split(' ')[0]).sort()).toEqual(['BusinessHours', 'Holiday']);
    expect(calendar.source).toMatch(/^the org's business hours "Default" and 9 holiday/);
    expect(calendar.isBusinessDay('2026-12-25')).toBe(false); // Christmas Day
    expect(calendar.add('2026-11-25', 1)).toBe('2026-11-27'); // Thanksgiving
    // A Discovery renewal due 2027-05-14 hands over to Prepare 140 days before: Christmas Day by weekends alone.
    expect(nextWorkflowDate(renewalStageFor(170, loadStages()), '2027-05-14', '2026-11-25', calendar)).toBe('2026-12-24');
  });

  it('re-reads the org hourly: a holiday added in Setup counts after the next refresh', async () => {
    let now = 0;
    org = await startDemoOrg({ accessToken: TOKEN, today: new Date('2026-11-25T12:00:00Z') });
    const calendar = await calendarOf({ now: () => now });
    expect(calendar.isBusinessDay('2026-12-24')).toBe(true);
    await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: org.url, accessToken: TOKEN }).then((conn) =>
      conn.sobject('Holiday').create({ Name: 'Christmas Eve', IsAllDay: true, ActivityDate: '2026-12-24' }),
    );
    now += 30 * 60_000;
    await calendar.refresh();
    expect(calendar.isBusinessDay('2026-12-24')).toBe(true);
    now += 31 * 60_000;
    await calendar.refresh();
    expect(calendar.isBusinessDay('2026-12-24')).toBe(false);
  });

  it("falls back to HOLIDAY_COUNTRY when the org's calendar cannot be read", async () => {
    org = await startDemoOrg({ accessToken: TOKEN, today: new Date('2026-11-25T12:00:00Z') });
    org.injectFault({ count: 1, errorCode: 'INSUFFICIENT_ACCESS', status: 403, methods: ['GET'], pathContains: '/query' });
    const calendar = await calendarOf({ country: 'GB' });
    expect(calendar.source).toBe('public holidays of GB');
    expect(calendar.isBusinessDay('2026-12-28')).toBe(false); // Boxing Day (substitute), not an org holiday
  });
});
