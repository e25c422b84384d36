import { findSlots } from '../../../processors/meeting-scheduler/org-time.ts';
import type { MeetingSlot } from '../../../processors/meeting-scheduler/slots.ts';
import { meetingBooking, queueMeetingBooking } from '../db/meetings.ts';
import type { TaskRow } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';
import { conflict, invalidInput } from '../domain-errors.ts';
import { processorPort, processorServices } from '../executor/services.ts';

/** What the CSM chooses when booking a meeting: a proposed slot (null: the first), its length and where it happens. */
interface MeetingChoice {
  slotStart: string | null;
  durationMinutes: number;
  location: string | null;
  meetingLink: string | null;
}

function requireMeeting(task: TaskRow): void {
  if (task.owner !== 'CSM' || task.metadata.kind !== 'meeting')
    throw invalidInput(`Task ${task.id} is not a meeting task`, [{ path: 'params.id', message: 'must be a CSM task of kind meeting' }]);
  if (task.status === 'completed' || task.status === 'cancelled') throw conflict(`Meeting task ${task.id} is ${task.status}`);
  if (!task.dueDate) throw conflict(`Meeting task ${task.id} has no due date`);
}

/** Three slots for a meeting task in the org's business hours, with the booking queued so far (if any). */
export async function meetingProposal(
  deps: Deps,
  meeting: TaskRow,
  durationMinutes: number,
): Promise<{ slots: MeetingSlot[]; booking: TaskRow | undefined }> {
  requireMeeting(meeting);
  const booking = await meetingBooking(deps.db.sql, meeting);
  const services = processorPort(processorServices(deps), meeting);
  const csm = meeting.assigneeUserId;
  if (!csm) throw conflict(`Meeting task ${meeting.id} has no assignee to book it for`);
  const slots = await findSlots(services, { csmUserId: csm, dueDate: meeting.dueDate!, durationMinutes, ownEventKey: booking?.id ?? '' });
  return { slots, booking };
}

/**
 * Queues the booking of a meeting task with the CSM's choice. The invitees are the meeting's contact and the active
 * members of the opportunity team, read from Salesforce now; the scheduler checks the slot again when it runs.
 */
export async function bookMeeting(deps: Deps, meeting: TaskRow, choice: MeetingChoice): Promise<TaskRow> {
  requireMeeting(meeting);
  const ctx = await deps.salesforce.loadContext(meeting.opportunityId);
  const team = (ctx?.team?.opportunity ?? []).filter((m) => m.isActive).map((m) => m.userId);
  const inviteeIds = [...new Set([...(meeting.contactId ? [meeting.contactId] : []), ...team])].slice(0, 20);
  const queued = await queueMeetingBooking(deps.db.sql, meeting, { meetingTaskKey: meeting.planTaskKey, inviteeIds, ...choice });
  if (!queued) throw conflict(`The meeting "${meeting.action}" is already being booked or was booked`);
  return queued;
}
