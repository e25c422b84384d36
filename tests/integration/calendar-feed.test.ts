import nodeIcal, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * The CSM's calendar feed (issue 26), read the way a calendar client reads it: a GET with no credentials but the URL,
 * parsed by an independent iCalendar parser (node-ical), not by the library that wrote it.
 */
describe('the calendar feed', () => {
  let h: Harness;
  const feedUrls = new Map<string, string>();
  beforeAll(async () => {
    h = await startHarness();
    await h.finalizedPlan();
  });
  afterAll(async () => h?.close());

  const user = (name: string) => h.users[name]!;
  async function createFeed(name: string): Promise<string> {
    const res = await h.api('POST', '/api/calendar/feed', undefined, { user: user(name) });
    expect(res.status).toBe(201);
    const url = new URL(res.body.url);
    feedUrls.set(name, url.pathname);
    return url.pathname;
  }
  async function read(path: string) {
    const res = await h.app.request(path);
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text };
  }
  async function events(path: string) {
    const { status, text } = await read(path);
    expect(status).toBe(200);
    return Object.values(nodeIcal.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
  }
  const openTasksOf = async (name: string) =>
    h.sql<{ id: string }[]>`
      SELECT id FROM workflow_tasks WHERE owner = 'CSM' AND parent_task_id IS NULL AND due_date IS NOT NULL
         AND assignee_user_id = ${user(name)} AND status IN ('pending', 'in_progress', 'snoozed')`;
  const uid = (taskId: string) => `task-${taskId}@renewal-action-plans`;

  it('serves every open task of the CSM once, as an all-day event with a reminder and a link to the opportunity', async () => {
    const path = await createFeed('Jordan Lee');
    const { type } = await read(path);
    expect(type).toMatch(/^text\/calendar/);
    const feed = await events(path);
    const open = await openTasksOf('Jordan Lee');
    expect(open.length).toBeGreaterThan(2);
    // The next workflow of Jordan's renewal (Prepare) starts on its trigger date.
    const next = await h.sql<{ id: string; date: string }[]>`
      SELECT s.id, to_char(s.trigger_date, 'YYYY-MM-DD') AS date FROM scheduled_workflows s
        JOIN workflow_executions e ON e.id = s.source_execution_id WHERE e.csm_user_id = ${user('Jordan Lee')}`;
    expect(next).toHaveLength(1);
    expect(feed.map((e) => e.uid).sort()).toEqual([...open.map((t) => uid(t.id)), `workflow-${next[0]!.id}@renewal-action-plans`].sort());
    const workflow = feed.find((e) => e.uid.startsWith('workflow-'))!;
    expect([workflow.summary, workflow.start.toISOString().slice(0, 10)]).toEqual(['Prepare Renewal starts', next[0]!.date]);
    const [first] = feed.filter((e) => e.uid.startsWith('task-'));
    expect(first!.datetype).toBe('date');
    // node-ical keeps a property's parameters: URL;VALUE=URI comes as { params, val }.
    const url = first!.url as unknown as { val: string };
    expect(url.val).toContain(`/lightning/r/Opportunity/${h.discoveryId}/view`);
    expect((first as unknown as { alarms: { action: string; trigger: string }[] }).alarms).toEqual([
      expect.objectContaining({ action: 'DISPLAY', trigger: '-PT15H' }),
    ]);
  });

  it('drops a completed task, bumps SEQUENCE on a moved due date, and publishes a cancellation', async () => {
    const path = feedUrls.get('Jordan Lee')!;
    const [done, moved, cancelled, untouched] = await openTasksOf('Jordan Lee');
    const before = new Map((await events(path)).map((e) => [e.uid, Number(e.sequence)]));
    expect(before.get(uid(moved!.id))).toBe(0);
    expect((await h.api('PATCH', `/api/workflows/tasks/${done!.id}`, { status: 'completed' })).status).toBe(200);
    expect((await h.api('PATCH', `/api/workflows/tasks/${moved!.id}`, { dueDate: '2026-12-22' })).status).toBe(200);
    expect((await h.api('PATCH', `/api/workflows/tasks/${cancelled!.id}`, { status: 'cancelled' })).status).toBe(200);
    const after = await events(path);
    const byUid = new Map(after.map((e) => [e.uid, e]));
    expect(byUid.has(uid(done!.id))).toBe(false);
    expect(Number(byUid.get(uid(moved!.id))!.sequence)).toBe(1);
    expect(byUid.get(uid(moved!.id))!.start.toISOString().slice(0, 10)).toBe('2026-12-22');
    expect(byUid.get(uid(cancelled!.id))!.status).toBe('CANCELLED');
    expect(Number(byUid.get(uid(cancelled!.id))!.sequence)).toBe(1);
    expect(Number(byUid.get(uid(untouched!.id))!.sequence)).toBe(0);
    // Read again, nothing changed: no SEQUENCE moves.
    const again = new Map((await events(path)).map((e) => [e.uid, Number(e.sequence)]));
    expect(again).toEqual(new Map(after.map((e) => [e.uid, Number(e.sequence)])));
  });

  it("shows a booked meeting once, at its time, in its owner's feed", async () => {
    const [meeting] = await h.sql<{ id: string; assignee: string }[]>`
      SELECT id, assignee_user_id AS assignee FROM workflow_tasks WHERE metadata->>'kind' = 'meeting' AND action LIKE '%CFO%'`;
    const booking = await h.api('POST', `/api/workflows/tasks/${meeting!.id}/meeting`, { slotStart: null, durationMinutes: 30 });
    expect((await h.api('POST', `/api/workflows/tasks/${booking.body.task.id}/execute`)).body.outcome.status).toBe('success');
    const owner = Object.entries(h.users).find(([, id]) => id === meeting!.assignee)![0];
    const feed = await events(await createFeed(owner));
    const booked = feed.filter((e) => e.uid === `meeting-${booking.body.task.id}@renewal-action-plans`);
    expect(booked).toHaveLength(1);
    const event = h.org.records('Event').find((e) => e.Action_Plan_Event_Id__c === booking.body.task.id)!;
    expect(booked[0]!.start.toISOString()).toBe(new Date(String(event.StartDateTime).replace('+0000', 'Z')).toISOString());
    expect(booked[0]!.end!.getTime() - booked[0]!.start.getTime()).toBe(30 * 60_000);
  });

  it("never shows one CSM's tasks in another's feed", async () => {
    const jordan = new Set((await events(feedUrls.get('Jordan Lee')!)).map((e) => e.uid));
    const morgan = await events(await createFeed('Morgan Diaz'));
    expect(morgan).toEqual([]);
    const others = [...feedUrls.entries()].filter(([name]) => name !== 'Jordan Lee' && name !== 'Morgan Diaz');
    for (const [, path] of others) for (const e of await events(path)) expect(jordan.has(e.uid)).toBe(false);
  });

  it('answers 404 to a revoked, a rotated-away, an unknown or a malformed token', async () => {
    const old = feedUrls.get('Jordan Lee')!;
    const rotated = await createFeed('Jordan Lee');
    expect((await read(old)).status).toBe(404);
    expect((await read(rotated)).status).toBe(200);
    expect((await h.api('DELETE', '/api/calendar/feed')).body).toEqual({ revoked: 1 });
    expect((await read(rotated)).status).toBe(404);
    expect((await read(`/calendar/${'A'.repeat(43)}.ics`)).status).toBe(404);
    expect((await read('/calendar/short.ics')).status).toBe(404);
  });
});
