import { markRead } from '../db/notifications.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../domain-errors.ts';

/** Marks one of the user's own notifications read; not found when it is not theirs (or does not exist). */
export async function markNotificationRead(deps: Deps, userId: string, id: string): Promise<{ id: string }> {
  const row = await markRead(deps.db.sql, userId, id);
  if (!row) throw notFound(`Notification ${id}`);
  return row;
}
