import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { notificationsOf } from '../read-model/notifications.ts';
import { markNotificationRead } from '../workflows/notifications.ts';
import { router } from './openapi-hono.ts';
import { errorResponses, IdParam, json } from './schemas.ts';

const when = z.union([z.string(), z.date()]).nullable();
const Notification = z.object({
  id: z.uuid(),
  opportunityId: z.string().nullable(),
  taskId: z.uuid().nullable(),
  planId: z.uuid().nullable(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  readAt: when,
  createdAt: when,
});

/**
 * What the service told the Salesforce user making the request (a plan finalized, an AI task done or failed for
 * good and why, a task Salesforce rejected): only their own, so no record access check beyond ownership.
 */
export function notificationsRouter(deps: Deps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: "The user's notifications, newest first",
      request: {
        query: z
          .object({
            unread: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
      },
      responses: { 200: json(z.object({ notifications: z.array(Notification) }), 'Notifications'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await notificationsOf(deps.db.sql, c.get('userId'), { unreadOnly: q.unread ?? false, limit: q.limit });
      return c.json({ notifications: rows }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/read',
      summary: 'Mark one of your notifications read',
      request: { params: IdParam },
      responses: { 200: json(z.object({ id: z.uuid() }), 'Marked read'), ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await markNotificationRead(deps, c.get('userId'), id), 200);
    },
  );

  return app;
}
