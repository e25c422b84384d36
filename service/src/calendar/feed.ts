import ical, { ICalAlarmType, ICalEventStatus } from 'ical-generator';
import { z } from 'zod';
import { feedSequences, feedTasks, feedWorkflows, type FeedTaskRow, type FeedWorkflowRow } from '../db/calendar-feeds.ts';
import { tasksForViewer, viewerAccess } from '../workflows/viewer-mask.ts';
import type { Deps } from '../deps.ts';

/**
 * A CSM's calendar feed (RFC 5545), for Google Calendar and Outlook to subscribe to. Every item is a VEVENT: both
 * show VEVENTs of subscribed calendars, while VTODOs are ignored by Google and not shown by Outlook's calendar. An
 * open plan task is an all-day event on its due date with a reminder (the day before, 09:00 floating); a booked
 * meeting is a timed event at its UTC instants (clients show it in each reader's zone); a next workflow's start is
 * an all-day event on its trigger date. UIDs are stable (the task
 * id), SEQUENCE moves on whenever an item changes, a cancelled task is published as STATUS:CANCELLED, and a
 * completed one leaves the feed.
 */

const DAY_MS = 86_400_000;
const Booked = z.object({ eventId: z.string(), slot: z.object({ start: z.string(), end: z.string() }) });

interface FeedItem {
  uid: string;
  summary: string;
  description: string;
  opportunityId: string;
  allDay: boolean;
  start: Date;
  end: Date;
  cancelled: boolean;
}

function itemOf(t: FeedTaskRow): FeedItem | undefined {
  if (t.processor === 'meeting-scheduler') {
    const booked = Booked.safeParse(t.executionResult);
    if (!booked.success) return undefined;
    const { start, end } = booked.data.slot;
    const summary = t.action.replace(/^Book: /, '');
    return {
      uid: `meeting-${t.id}`,
      summary,
      description: t.description,
      opportunityId: t.opportunityId,
      allDay: false,
      start: new Date(start),
      end: new Date(end),
      cancelled: false,
    };
  }
  const day = new Date(`${t.dueDate}T00:00:00Z`);
  return {
    uid: `task-${t.id}`,
    summary: t.kind === 'meeting' ? `${t.action} (meeting to book)` : t.action,
    description: t.description,
    opportunityId: t.opportunityId,
    allDay: true,
    start: day,
    end: new Date(day.getTime() + DAY_MS),
    cancelled: t.status === 'cancelled',
  };
}

/** A next workflow's start: an all-day event on its trigger date. */
function workflowItem(w: FeedWorkflowRow): FeedItem {
  const day = new Date(`${w.triggerDate}T00:00:00Z`);
  return {
    uid: `workflow-${w.id}`,
    summary: `${w.name} starts`,
    description: 'The next stage workflow of this renewal starts; its plan is generated then.',
    opportunityId: w.opportunityId,
    allDay: true,
    start: day,
    end: new Date(day.getTime() + DAY_MS),
    cancelled: w.status === 'cancelled',
  };
}

const fingerprint = (i: FeedItem) => JSON.stringify([i.summary, i.description, i.start.toISOString(), i.end.toISOString(), i.cancelled]);

/** The feed of one Salesforce user, as iCalendar text. */
export async function calendarFeed(deps: Deps, userId: string): Promise<string> {
  const [stored, workflows, viewer] = await Promise.all([
    feedTasks(deps.db.sql, userId),
    feedWorkflows(deps.db.sql, userId),
    viewerAccess(deps, userId),
  ]);
  // A task planned by someone who reads more fields than this user (an owner's plan assigned to a teammate) is masked.
  const tasks = await tasksForViewer(deps, viewer, stored);
  const items = [...tasks.map(itemOf).filter((i): i is FeedItem => i !== undefined), ...workflows.map(workflowItem)];
  const sequences = await feedSequences(
    deps.db.sql,
    userId,
    items.map((i) => ({ uid: i.uid, fingerprint: fingerprint(i) })),
  );
  const instance = deps.salesforce.conn.instanceUrl;
  const calendar = ical({
    name: 'Renewal action plans',
    prodId: { company: 'Renewal Action Plans', product: 'CSM calendar feed' },
    // Clients that honour it refresh hourly (Google and Outlook choose their own interval for subscriptions).
    ttl: 3600,
  });
  const stamp = deps.now();
  for (const item of items) {
    calendar.createEvent({
      id: `${item.uid}@renewal-action-plans`,
      sequence: sequences.get(item.uid) ?? 0,
      stamp,
      start: item.start,
      end: item.end,
      allDay: item.allDay,
      summary: item.summary,
      description: item.description,
      url: `${instance}/lightning/r/Opportunity/${item.opportunityId}/view`,
      status: item.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      alarms: item.allDay && !item.cancelled ? [{ type: ICalAlarmType.display, trigger: 15 * 3600 }] : [],
    });
  }
  return calendar.toString();
}
