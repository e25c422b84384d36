import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { bookMeeting, meetingProposal } from '../calendar/meetings.ts';
import type { Deps } from '../deps.ts';
import { taskForUser } from './access.ts';
import { router } from './openapi-hono.ts';
import { conflictResponse, errorResponses, IdParam, json, jsonBody } from './schemas.ts';
import { TaskView, taskView } from './views.ts';

const Duration = z.coerce.number().int().min(15).max(240);
const Slot = z.strictObject({
  start: z.string(),
  end: z.string(),
  localDate: z.string(),
  localTime: z.string(),
  timeZone: z.string(),
});
/** The answer of GET …/meeting-slots (the card's slot picker reads it). */
export const MeetingSlotsResponse = z.object({ slots: z.array(Slot), booking: TaskView.nullable() });
const SlotsQuery = z.object({ durationMinutes: Duration.default(45) }).strict();
const BookBody = z
  .object({
    slotStart: z.iso.datetime().nullable().default(null),
    durationMinutes: Duration.default(45),
    location: z.string().min(1).max(255).nullable().default(null),
    meetingLink: z
      .string()
      .max(255)
      .regex(/^https:\/\/\S+$/, 'must be an https link')
      .nullable()
      .default(null),
  })
  .strict();

/** Meeting tasks: the slots proposed in the org's business hours, and booking one as a Salesforce Event. */
export function meetingsRouter(deps: Deps) {
  const app = router();

  const taskFor = (userId: string, id: string) => taskForUser(deps, userId, id);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/meeting-slots',
      summary: "Three slots for a meeting task inside the org's default business hours, free in the CSM's calendar",
      request: { params: IdParam, query: SlotsQuery },
      responses: {
        200: json(MeetingSlotsResponse, 'The proposed slots and the booking so far'),
        ...conflictResponse,
        ...errorResponses,
      },
    }),
    async (c) => {
      const meeting = await taskFor(c.get('userId'), c.req.valid('param').id);
      const { slots, booking } = await meetingProposal(deps, meeting, c.req.valid('query').durationMinutes);
      return c.json({ slots, booking: booking ? taskView(booking) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/meeting',
      summary: 'Book a meeting task: the picked slot (null: the first proposed) becomes a Salesforce Event with its invitees',
      description:
        'Queues the booking (an AI task running the meeting scheduler). Picking again before it runs replaces the choice; ' +
        'once it runs, 409. The Event is upserted on Action_Plan_Event_Id__c, so it is never booked twice.',
      request: { params: IdParam, ...jsonBody(BookBody) },
      responses: { 202: json(z.object({ task: TaskView }), 'The booking task, queued'), ...conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const meeting = await taskFor(c.get('userId'), c.req.valid('param').id);
      return c.json({ task: taskView(await bookMeeting(deps, meeting, c.req.valid('json'))) }, 202);
    },
  );

  return app;
}
