import { randomBytes } from 'node:crypto';
import { createCalendarFeed, revokeCalendarFeeds } from '../db/calendar-feeds.ts';
import type { Deps } from '../deps.ts';

/**
 * A new private calendar feed for the user, replacing their earlier ones; answers its token: 32 random bytes,
 * base64url (43 characters), never guessable and never stored (only its hash).
 */
export async function newCalendarFeed(deps: Deps, userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await createCalendarFeed(deps.db.sql, userId, token);
  return token;
}

/** Revokes the user's calendar feeds; answers how many were live. */
export const revokeCalendarFeed = (deps: Deps, userId: string): Promise<number> => revokeCalendarFeeds(deps.db.sql, userId);
