import { z } from 'zod';
import { defineProcessor, PermanentError } from '../port.ts';
import { findSlotsAndPick } from './org-time.ts';

const SalesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a Salesforce id');

/**
 * Books a meeting task of the plan (a CSM task of kind meeting) as a Salesforce Event on the opportunity: it proposes
 * three slots inside the org's default business hours (their time zone, each day's hours), skipping holidays and the
 * CSM's Events, up to the meeting's due date, and books the slot the CSM picked (`slotStart`) or else the first one.
 * The Event is upserted on the Activity external id Action_Plan_Event_Id__c (this task's id) and its invitees added
 * once each, so a retry never books twice.
 */
export const meetingScheduler = defineProcessor({
  name: 'meeting-scheduler',
  summary: "Books a meeting task (kind meeting) as a Salesforce Event in the org's business hours, inviting contacts and team members",
  metadata: z.strictObject({
    meetingTaskKey: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
    durationMinutes: z.number().int().min(15).max(240),
    location: z.string().min(1).max(255).nullable(),
    meetingLink: z
      .string()
      .max(255)
      // A character class, not \S: llama.cpp's grammar converter does not understand class escapes (docs/evaluating-plans.md).
      .regex(/^https:\/\/[^ \t\r\n]+$/, 'must be an https link')
      .nullable(),
    inviteeIds: z.array(SalesforceId).max(20),
    /** The slot the CSM picked (its UTC start); null books the first proposed slot. */
    slotStart: z.iso.datetime().nullable(),
  }),
  writesFields: true,
  groundingErrors(input, ctx) {
    const contacts = new Set(ctx.contactRoles.map((r) => r.contactId));
    const team = new Set([...(ctx.team?.opportunity ?? []), ...(ctx.team?.account ?? [])].filter((m) => m.isActive).map((m) => m.userId));
    return input.inviteeIds
      .filter((id) => !contacts.has(id) && !team.has(id))
      .map((id) => `invitee ${id} is neither a contact with a role on this opportunity nor an active team member`);
  },
  changePreview(input, ctx) {
    return {
      description: `Event on "${ctx.opportunity.name}" (${input.durationMinutes} minutes) for the meeting task ${input.meetingTaskKey}, inviting ${input.inviteeIds.length} people`,
      fields: [
        { object: 'Task', recordId: null, recordName: null, field: 'Event', oldValue: null, newValue: `${input.durationMinutes} minutes` },
      ],
    };
  },
  async run(input, { task, customer, services }) {
    const meeting = await services.planTask(input.meetingTaskKey);
    if (!meeting) throw new PermanentError(`the plan has no task ${input.meetingTaskKey}`, 'NO_MEETING_TASK');
    if (!meeting.dueDate) throw new PermanentError(`the meeting task ${input.meetingTaskKey} has no due date`, 'NO_DUE_DATE');
    const csm = meeting.assigneeUserId ?? task.assigneeUserId ?? customer.csmUserId;
    if (!csm) throw new PermanentError('the meeting has no CSM to book it for', 'NO_CSM');
    const { slots, picked } = await findSlotsAndPick(
      services,
      { csmUserId: csm, dueDate: meeting.dueDate, durationMinutes: input.durationMinutes, ownEventKey: task.id },
      input.slotStart,
    );
    if (!picked) {
      throw new PermanentError(
        input.slotStart ? `the picked slot ${input.slotStart} is no longer free` : `no free slot before ${meeting.dueDate}`,
        input.slotStart ? 'SLOT_TAKEN' : 'NO_SLOT',
      );
    }
    const description = [meeting.description, input.meetingLink ? `Join: ${input.meetingLink}` : null].filter(Boolean).join('\n\n');
    const { eventId, invitees } = await services.salesforce.upsertEvent(
      task.id,
      {
        Subject: meeting.action.slice(0, 255),
        Description: description,
        StartDateTime: picked.start,
        EndDateTime: picked.end,
        Location: (input.location ?? input.meetingLink)?.slice(0, 255) ?? null,
        WhatId: task.opportunityId,
        WhoId: meeting.contactId,
        OwnerId: csm,
        Type: 'Meeting',
      },
      input.inviteeIds,
    );
    return {
      summary: `Meeting "${meeting.action}" booked ${picked.localDate} ${picked.localTime} (${picked.timeZone}) with ${invitees.length} invitees.`,
      eventId,
      meetingTaskKey: input.meetingTaskKey,
      slot: picked,
      proposedSlots: slots,
      invitees,
    };
  },
});
