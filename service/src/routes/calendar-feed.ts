import { createRoute } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { z } from 'zod';
import { calendarFeed } from '../calendar/feed.ts';
import type { Deps } from '../deps.ts';
import { calendarFeedUser } from '../read-model/calendar-feeds.ts';
import { newCalendarFeed, revokeCalendarFeed } from '../workflows/calendar-feeds.ts';
import { router } from './openapi-hono.ts';
import { errorResponses, json } from './schemas.ts';

/** A feed token as newCalendarFeed makes them (43 base64url characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The calling CSM's calendar feed: create (or rotate) its private URL, or revoke it. */
export function calendarFeedApi(deps: Deps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/feed',
      summary: "Create (or rotate) the calling user's calendar feed URL; earlier URLs stop working",
      responses: { 201: json(z.object({ url: z.string() }), 'The subscription URL, shown once'), ...errorResponses },
    }),
    async (c) => {
      const token = await newCalendarFeed(deps, c.get('userId'));
      // The service's own origin as the caller reached it (behind a proxy, set the forwarded host there).
      return c.json({ url: `${new URL(c.req.url).origin}/calendar/${token}.ics` }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/feed',
      summary: "Revoke the calling user's calendar feed URLs (they answer 404 from now on)",
      responses: { 200: json(z.object({ revoked: z.number().int() }), 'How many URLs were revoked'), ...errorResponses },
    }),
    async (c) => c.json({ revoked: await revokeCalendarFeed(deps, c.get('userId')) }, 200),
  );

  return app;
}

/**
 * `GET /calendar/<token>.ics`: the feed itself. Calendar clients send no headers we could check, so the token is the
 * credential; an unknown, malformed or revoked token answers the same 404 as a path that does not exist.
 */
export function calendarFeedPublic(deps: Deps) {
  const app = new Hono();
  app.get('/:file{[A-Za-z0-9_-]+\\.ics}', async (c) => {
    const token = c.req.param('file').replace(/\.ics$/, '');
    const userId = TOKEN.test(token) ? await calendarFeedUser(deps.db.sql, token) : undefined;
    if (!userId) return c.text('Not found', 404);
    return c.body(await calendarFeed(deps, userId), 200, {
      'content-type': 'text/calendar; charset=utf-8',
      'cache-control': 'private, max-age=300',
    });
  });
  return app;
}
