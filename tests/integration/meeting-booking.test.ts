import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../dev/demo-seed/index.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * Booking the plan's CFO meeting through the API (issue 26): the finalized Discovery plan marks it a meeting, the
 * API proposes three slots in the org's business hours (America/New_York, 08:00–18:00 on weekdays), the CSM picks
 * one, and the booking task the executor runs creates one Event on the opportunity with its invitees.
 */
describe('booking a meeting task', () => {
  let h: Harness;
  let meetingId: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.finalizedPlan();
    const [row] = await h.sql<{ id: string }[]>`
      SELECT id FROM workflow_tasks WHERE owner = 'CSM' AND metadata->>'kind' = 'meeting' AND action LIKE '%CFO%'`;
    meetingId = row!.id;
  });
  afterAll(async () => h?.close());

  it('proposes three slots inside business hours, one a day, in the org time zone', async () => {
    const res = await h.api('GET', `/api/workflows/tasks/${meetingId}/meeting-slots?durationMinutes=60`);
    expect(res.status).toBe(200);
    expect(res.body.slots).toHaveLength(3);
    for (const slot of res.body.slots) {
      expect(slot.timeZone).toBe('America/New_York');
      expect(slot.localTime >= '08:00' && slot.localTime <= '17:00').toBe(true);
      expect(new Date(`${slot.localDate}T12:00:00Z`).getUTCDay()).not.toBeOneOf([0, 6]);
    }
    expect(new Set(res.body.slots.map((s: { localDate: string }) => s.localDate)).size).toBe(3);
    expect(res.body.booking).toBeNull();
  });

  it('refuses a task that is not a meeting, and bad input with the one 400 shape', async () => {
    const [plain] = await h.sql<{ id: string }[]>`SELECT id FROM workflow_tasks WHERE owner = 'CSM' AND metadata = '{}'::jsonb LIMIT 1`;
    expect((await h.api('GET', `/api/workflows/tasks/${plain!.id}/meeting-slots`)).status).toBe(400);
    const bad = await h.api('POST', `/api/workflows/tasks/${meetingId}/meeting`, { slotStart: 'tomorrow', meetingLink: 'http://x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.meetingLink', 'body.slotStart']);
  });

  it('books the picked slot once: one Event on the opportunity with the contact and the active team invited', async () => {
    const { slots } = (await h.api('GET', `/api/workflows/tasks/${meetingId}/meeting-slots?durationMinutes=30`)).body;
    const picked = slots[1];
    const first = await h.api('POST', `/api/workflows/tasks/${meetingId}/meeting`, { slotStart: picked.start, durationMinutes: 30 });
    expect(first.status).toBe(202);
    // A second click before it runs replaces the choice, on the same booking task.
    const again = await h.api('POST', `/api/workflows/tasks/${meetingId}/meeting`, { slotStart: picked.start, durationMinutes: 30 });
    expect(again.body.task.id).toBe(first.body.task.id);
    const run = await h.api('POST', `/api/workflows/tasks/${first.body.task.id}/execute`);
    expect(run.body.outcome).toEqual({ status: 'success', error: null });
    const events = h.org.records('Event').filter((e) => e.Action_Plan_Event_Id__c === first.body.task.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ WhatId: h.discoveryId, StartDateTime: picked.start.replace('Z', '+0000'), DurationInMinutes: 30 });
    const invited = h.org
      .records('EventRelation')
      .filter((r) => r.EventId === events[0]!.Id)
      .map((r) => r.RelationId);
    // Riley Park is on the opportunity team and active; Casey Former is on it but inactive.
    expect(invited).toContain(DEMO_IDS.users.rileyPark);
    expect(invited).not.toContain(DEMO_IDS.users.caseyFormer);
    // Once run, a new pick is refused: the meeting is booked.
    expect((await h.api('POST', `/api/workflows/tasks/${meetingId}/meeting`, { slotStart: null })).status).toBe(409);
    const view = await h.api('GET', `/api/workflows/tasks/${meetingId}/meeting-slots`);
    expect(view.body.booking.executionResult).toMatchObject({ eventId: events[0]!.Id });
  });
});
