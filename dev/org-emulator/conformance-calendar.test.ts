// Local Salesforce org emulator (not Salesforce): the rules a real org enforces for Events, their invitees
// (EventRelation) and the org's calendar (BusinessHours, Holiday). Each test is one row of README.md's conformance table.

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, statusCodes, TODAY } from './test-support.ts';

const { users, contacts, opportunities, accounts } = DEMO_IDS;
let org: OrgEmulator;
let conn: Connection;
beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

const createEvent = (fields: Record<string, unknown>) =>
  conn.sobject('Event').create({ Subject: 'CFO meeting', WhatId: opportunities.acme, ...fields });
const retrieveEvent = (id: string) => conn.sobject('Event').retrieve(id) as Promise<Record<string, unknown>>;

describe('Event times', () => {
  it('EV1: a timed event needs a start and an end or a duration; the org fills the other; both must agree', async () => {
    const byEnd = await createEvent({ StartDateTime: '2026-12-03T15:00:00Z', EndDateTime: '2026-12-03T15:45:00Z' });
    expect(await retrieveEvent(byEnd.id!)).toMatchObject({ DurationInMinutes: 45, ActivityDate: '2026-12-03' });
    const byDuration = await createEvent({ StartDateTime: '2026-12-03T15:00:00Z', DurationInMinutes: 30 });
    expect(await retrieveEvent(byDuration.id!)).toMatchObject({ EndDateTime: '2026-12-03T15:30:00.000+0000' });

    const noEnd = await failureOf(createEvent({ StartDateTime: '2026-12-03T15:00:00Z' }));
    expect(noEnd.errorCode).toBe('REQUIRED_FIELD_MISSING');
    const noStart = await failureOf(createEvent({ EndDateTime: '2026-12-03T15:00:00Z' }));
    expect(noStart.errorCode).toBe('REQUIRED_FIELD_MISSING');
    const disagree = await failureOf(
      createEvent({ StartDateTime: '2026-12-03T15:00:00Z', EndDateTime: '2026-12-03T16:00:00Z', DurationInMinutes: 30 }),
    );
    expect(disagree.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(org.records('Event').filter((e) => e.Subject === 'CFO meeting')).toHaveLength(2);
  });

  it('EV1: moving only the start keeps the duration; a new duration moves the end', async () => {
    const { id } = await createEvent({ StartDateTime: '2026-12-03T15:00:00Z', EndDateTime: '2026-12-03T16:00:00Z' });
    await conn.sobject('Event').update({ Id: id!, StartDateTime: '2026-12-04T09:00:00Z' });
    expect(await retrieveEvent(id!)).toMatchObject({ EndDateTime: '2026-12-04T10:00:00.000+0000', DurationInMinutes: 60 });
    await conn.sobject('Event').update({ Id: id!, DurationInMinutes: 90 });
    expect(await retrieveEvent(id!)).toMatchObject({ EndDateTime: '2026-12-04T10:30:00.000+0000' });
  });

  it('EV2: the end may not come before the start, on create or update', async () => {
    const backwards = await failureOf(createEvent({ StartDateTime: '2026-12-03T15:00:00Z', EndDateTime: '2026-12-03T14:00:00Z' }));
    expect(backwards.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const { id } = await createEvent({ StartDateTime: '2026-12-03T15:00:00Z', DurationInMinutes: 60 });
    const moved = await failureOf(conn.sobject('Event').update({ Id: id!, EndDateTime: '2026-12-03T10:00:00Z' }));
    expect(moved.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(await retrieveEvent(id!)).toMatchObject({ EndDateTime: '2026-12-03T16:00:00.000+0000' });
  });

  it('EV3: an all-day event takes its date from ActivityDate and lasts whole days (one by default)', async () => {
    const { id } = await createEvent({ IsAllDayEvent: true, ActivityDate: '2026-12-07' });
    expect(await retrieveEvent(id!)).toMatchObject({
      ActivityDate: '2026-12-07',
      StartDateTime: '2026-12-07T00:00:00.000+0000',
      EndDateTime: '2026-12-08T00:00:00.000+0000',
      DurationInMinutes: 1440,
    });
    const noDate = await failureOf(createEvent({ IsAllDayEvent: true }));
    expect(noDate.errorCode).toBe('REQUIRED_FIELD_MISSING');
  });
});

describe('EventRelation', () => {
  const event = () => createEvent({ StartDateTime: '2026-12-03T15:00:00Z', DurationInMinutes: 30 }).then((r) => r.id!);

  it('EV4: needs EventId and RelationId; invitees are users and contacts (an account is the wrong type)', async () => {
    const eventId = await event();
    const results = await conn
      .sobject('EventRelation')
      .create([
        { RelationId: contacts.sarahChen },
        { EventId: eventId },
        { EventId: eventId, RelationId: accounts.acme },
        { EventId: eventId, RelationId: contacts.sarahChen },
        { EventId: eventId, RelationId: users.rileyPark },
      ]);
    expect(statusCodes(results)).toEqual([
      'REQUIRED_FIELD_MISSING',
      'REQUIRED_FIELD_MISSING',
      'FIELD_INTEGRITY_EXCEPTION',
      undefined,
      undefined,
    ]);
    const { records } = await conn.query<Record<string, any>>(
      `SELECT Id, (SELECT RelationId, IsInvitee, Status FROM EventRelations ORDER BY RelationId) FROM Event WHERE Id = '${eventId}'`,
    );
    expect(records[0]!.EventRelations.records.map((r: Record<string, unknown>) => [r.RelationId, r.IsInvitee, r.Status])).toEqual([
      [contacts.sarahChen, true, 'New'],
      [users.rileyPark, true, 'New'],
    ]);
  });

  it('EV5: a second relation for the same event and person is refused; the pair cannot be changed', async () => {
    const eventId = await event();
    const first = await conn.sobject('EventRelation').create({ EventId: eventId, RelationId: contacts.sarahChen });
    const again = await failureOf(conn.sobject('EventRelation').create({ EventId: eventId, RelationId: contacts.sarahChen }));
    expect(again.errorCode).toBe('DUPLICATE_VALUE');
    const moved = await failureOf(conn.sobject('EventRelation').update({ Id: first.id!, RelationId: users.rileyPark }));
    expect(moved.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(org.records('EventRelation').filter((r) => r.EventId === eventId)).toHaveLength(1);
  });

  it('EV6: deleting an event deletes its relations', async () => {
    const eventId = await event();
    await conn.sobject('EventRelation').create({ EventId: eventId, RelationId: contacts.sarahChen });
    await conn.sobject('Event').destroy(eventId);
    const { totalSize } = await conn.query(`SELECT Id FROM EventRelation WHERE EventId = '${eventId}'`);
    expect(totalSize).toBe(0);
  });
});

describe("the org's calendar", () => {
  it('EV7: the default BusinessHours carry their time zone and per-day hours; Holidays their date', async () => {
    const { records } = await conn.query<Record<string, unknown>>(
      'SELECT Name, TimeZoneSidKey, MondayStartTime, MondayEndTime, SaturdayStartTime FROM BusinessHours WHERE IsDefault = true',
    );
    expect(records).toEqual([
      expect.objectContaining({
        TimeZoneSidKey: 'America/New_York',
        MondayStartTime: '08:00:00.000Z',
        MondayEndTime: '18:00:00.000Z',
        SaturdayStartTime: null,
      }),
    ]);
    const holidays = await conn.query<Record<string, unknown>>("SELECT Name, IsAllDay FROM Holiday WHERE Name = 'Christmas Day'");
    expect(holidays.records).toEqual([expect.objectContaining({ IsAllDay: true })]);
  });
});
