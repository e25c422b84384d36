import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from '../../dev/org-emulator/index.ts';
import { DEMO_IDS, startDemoOrg } from '../../dev/demo-seed/index.ts';
import { meetingScheduler } from '../../processors/meeting-scheduler/index.ts';
import { findSlots } from '../../processors/meeting-scheduler/org-time.ts';
import type { PlanTaskView, ProcessorContext, ProcessorServices } from '../../processors/port.ts';
import { upsertMeetingEvent } from '../../service/src/salesforce/events.ts';
import { SalesforceGateway } from '../../service/src/salesforce/gateway.ts';
import { query } from '../../service/src/salesforce/records.ts';
import { DEFAULT_RETRY, READ_RETRY } from '../../service/src/salesforce/retry.ts';

// The meeting scheduler against the org emulator through jsforce: the demo org's default business hours are
// Monday–Friday 08:00–18:00 America/New_York, with the US federal holidays. Morgan Diaz owns no Events, so only the
// Events a test adds are in the way.
const { users, opportunities, contacts } = DEMO_IDS;
const csm = users.morganDiaz;

let org: OrgEmulator;
let conn: Connection;
let sf: SalesforceGateway;
beforeEach(async () => {
  org = await startDemoOrg({ today: new Date('2026-11-25T10:00:00Z') });
  conn = new Connection({ instanceUrl: org.url, accessToken: 'test-token', version: '62.0' });
  // The production retry policy with short pauses, as the test harness uses.
  sf = new SalesforceGateway(conn, {
    writeRetry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 5 },
    readRetry: { ...READ_RETRY, baseDelayMs: 1, maxDelayMs: 5 },
    contextCacheMs: 0,
  });
});
afterEach(() => org.close());

/** The processor port for one task: real Salesforce reads and writes; the plan's meeting task given by the test. */
function services(now: string, meeting?: PlanTaskView): ProcessorServices {
  const port: Partial<ProcessorServices> = {
    salesforce: {
      query: (soql) => query(sf, soql),
      updateRecord: () => Promise.reject(new Error('not used')),
      upsertAuditTask: () => Promise.reject(new Error('not used')),
      upsertEvent: (key, fields, invitees) => upsertMeetingEvent(sf, key, fields, invitees),
    },
    planTask: async (key) => (meeting && key === 'csm-2' ? meeting : undefined),
    now: () => new Date(now),
    today: () => now.slice(0, 10),
  };
  return port as ProcessorServices;
}

const slotsAt = async (now: string, dueDate: string, durationMinutes = 60) =>
  (await findSlots(services(now), { csmUserId: csm, dueDate, durationMinutes, ownEventKey: 'none' })).map((s) => [
    s.start,
    `${s.localDate} ${s.localTime}`,
  ]);

describe('meeting slots in the org time', () => {
  it('a Friday afternoon: no hour left before 18:00 New York time, so Monday, Tuesday and Wednesday at 08:00 (UTC-5)', async () => {
    // Friday 2026-12-04 17:10 in New York.
    expect(await slotsAt('2026-12-04T22:10:00Z', '2026-12-18')).toEqual([
      ['2026-12-07T13:00:00.000Z', '2026-12-07 08:00'],
      ['2026-12-08T13:00:00.000Z', '2026-12-08 08:00'],
      ['2026-12-09T13:00:00.000Z', '2026-12-09 08:00'],
    ]);
    // Earlier that Friday afternoon, the next half hour is still free.
    expect((await slotsAt('2026-12-04T19:10:00Z', '2026-12-18'))[0]).toEqual(['2026-12-04T19:30:00.000Z', '2026-12-04 14:30']);
  });

  it('skips a holiday (Christmas Day, a Friday) and the weekend after it', async () => {
    // Thursday 2026-12-24 17:30 in New York: too late for an hour.
    expect(await slotsAt('2026-12-24T22:30:00Z', '2027-01-15')).toEqual([
      ['2026-12-28T13:00:00.000Z', '2026-12-28 08:00'],
      ['2026-12-29T13:00:00.000Z', '2026-12-29 08:00'],
      ['2026-12-30T13:00:00.000Z', '2026-12-30 08:00'],
    ]);
  });

  it('keeps 08:00 local across the daylight-saving change (13:00 UTC before, 12:00 UTC after 2027-03-14)', async () => {
    expect(await slotsAt('2027-03-11T22:30:00Z', '2027-03-31')).toEqual([
      ['2027-03-12T13:00:00.000Z', '2027-03-12 08:00'],
      ['2027-03-15T12:00:00.000Z', '2027-03-15 08:00'],
      ['2027-03-16T12:00:00.000Z', '2027-03-16 08:00'],
    ]);
  });

  it("moves past the CSM's existing Event, reading Events with one SOQL for the CSM and the window", async () => {
    await conn
      .sobject('Event')
      .create({ Subject: 'Busy', OwnerId: csm, StartDateTime: '2026-12-07T13:00:00Z', EndDateTime: '2026-12-07T14:30:00Z' });
    // Free time and another user's Event do not block.
    await conn
      .sobject('Event')
      .create({ Subject: 'Free', OwnerId: csm, ShowAs: 'Free', StartDateTime: '2026-12-08T13:00:00Z', DurationInMinutes: 60 });
    await conn
      .sobject('Event')
      .create({ Subject: 'Not mine', OwnerId: users.jordanLee, StartDateTime: '2026-12-09T13:00:00Z', DurationInMinutes: 60 });
    org.resetRequests();
    expect(await slotsAt('2026-12-04T22:10:00Z', '2026-12-18')).toEqual([
      ['2026-12-07T14:30:00.000Z', '2026-12-07 09:30'],
      ['2026-12-08T13:00:00.000Z', '2026-12-08 08:00'],
      ['2026-12-09T13:00:00.000Z', '2026-12-09 08:00'],
    ]);
    // A query is sent alone (GET …/query) or as a subrequest of a composite request (its url carries the SOQL).
    const soqlOf = (r: (typeof org.requests)[number]) => [
      r.soql ?? '',
      ...((r.body as { compositeRequest?: { url: string }[] } | undefined)?.compositeRequest ?? []).map((s) => decodeURIComponent(s.url)),
    ];
    const eventQueries = org.requests.flatMap(soqlOf).filter((q) => /\bFROM Event\b/.test(q));
    expect(eventQueries).toHaveLength(1);
  });

  it('proposes only slots on or before the due date', async () => {
    expect(await slotsAt('2026-12-04T22:10:00Z', '2026-12-07')).toEqual([['2026-12-07T13:00:00.000Z', '2026-12-07 08:00']]);
  });
});

describe('booking the meeting', () => {
  const meeting: PlanTaskView = {
    id: 'task-cfo',
    action: 'Meet the CFO',
    description: 'Value briefing before pricing.',
    dueDate: '2026-12-18',
    status: 'pending',
    contactId: contacts.sarahChen,
    assigneeUserId: csm,
    metadata: { kind: 'meeting' },
  };
  const input = {
    meetingTaskKey: 'csm-2',
    durationMinutes: 45,
    location: null,
    meetingLink: 'https://meet.example.com/cfo',
    inviteeIds: [contacts.sarahChen, users.rileyPark],
    slotStart: null as string | null,
  };
  const context = (now: string): ProcessorContext => ({
    task: {
      id: 'ai-task-7',
      actionPlanId: 'plan-1',
      executionId: 'exec-1',
      opportunityId: opportunities.acme,
      planTaskKey: 'ai-7',
      priority: 2,
      assigneeUserId: csm,
      attempts: 0,
    },
    customer: { opportunityId: opportunities.acme, opportunityName: 'Acme', accountId: null, accountName: null, csmUserId: csm },
    workflow: {
      executionId: 'exec-1',
      actionPlanId: 'plan-1',
      stage: 'discovery',
      urgency: 'low',
      renewalDate: '2027-05-01',
      daysToRenewal: 150,
    },
    services: services(now, meeting),
  });
  const booked = () => org.records('Event').filter((e) => e.Action_Plan_Event_Id__c === 'ai-task-7');
  const invitees = (eventId: string) =>
    org
      .records('EventRelation')
      .filter((r) => r.EventId === eventId)
      .map((r) => r.RelationId)
      .sort();

  it('books the picked slot as one Event on the opportunity, with its invitees', async () => {
    const result = await meetingScheduler.run({ ...input, slotStart: '2026-12-08T13:00:00.000Z' }, context('2026-12-04T22:10:00Z'));
    expect(booked()).toHaveLength(1);
    expect(booked()[0]).toMatchObject({
      WhatId: opportunities.acme,
      OwnerId: csm,
      StartDateTime: '2026-12-08T13:00:00.000+0000',
      EndDateTime: '2026-12-08T13:45:00.000+0000',
      DurationInMinutes: 45,
      Location: 'https://meet.example.com/cfo',
      Subject: 'Meet the CFO',
    });
    expect(invitees(String(booked()[0]!.Id))).toEqual([contacts.sarahChen, users.rileyPark].sort());
    expect(result).toMatchObject({ eventId: booked()[0]!.Id, slot: { localDate: '2026-12-08', localTime: '08:00' } });
    expect((result.proposedSlots as unknown[]).length).toBe(3);
  });

  it('approved as is, it books the first slot; run again, it changes nothing', async () => {
    await meetingScheduler.run(input, context('2026-12-04T22:10:00Z'));
    await meetingScheduler.run(input, context('2026-12-04T22:10:00Z'));
    expect(booked()).toHaveLength(1);
    expect(booked()[0]!.StartDateTime).toBe('2026-12-07T13:00:00.000+0000');
    expect(invitees(String(booked()[0]!.Id))).toHaveLength(2);
  });

  it('retried after faults that lose the answers of applied writes, it still books one Event and each invitee once', async () => {
    // The org applies the write and the answer is lost: twice for the Event upsert, once for an invitee's create.
    org.injectFault({
      count: 2,
      errorCode: 'SERVER_UNAVAILABLE',
      mode: 'after-write',
      methods: ['PATCH'],
      pathContains: 'Action_Plan_Event_Id__c',
    });
    org.injectFault({
      count: 1,
      errorCode: 'SERVER_UNAVAILABLE',
      mode: 'after-write',
      methods: ['POST'],
      pathContains: 'sobjects/EventRelation',
    });
    await meetingScheduler.run(input, context('2026-12-04T22:10:00Z'));
    expect(booked()).toHaveLength(1);
    expect(invitees(String(booked()[0]!.Id))).toEqual([contacts.sarahChen, users.rileyPark].sort());
    expect(org.records('EventRelation').filter((r) => r.EventId === booked()[0]!.Id)).toHaveLength(2);
    // The faults were met (all three spent): the Event upsert was sent three times, the first invitee's create twice.
    const sent = (method: string, path: string) => org.requests.filter((r) => r.method === method && r.path.includes(path)).length;
    expect(sent('PATCH', 'Action_Plan_Event_Id__c')).toBe(3);
    expect(sent('POST', 'sobjects/EventRelation')).toBe(3);
  });

  it('refuses a picked slot that is no longer free, booking nothing', async () => {
    await conn.sobject('Event').create({ Subject: 'Taken', OwnerId: csm, StartDateTime: '2026-12-08T13:00:00Z', DurationInMinutes: 30 });
    await expect(
      meetingScheduler.run({ ...input, slotStart: '2026-12-08T13:00:00.000Z' }, context('2026-12-04T22:10:00Z')),
    ).rejects.toMatchObject({
      code: 'SLOT_TAKEN',
    });
    expect(booked()).toHaveLength(0);
  });
});
