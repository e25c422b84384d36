import type { Sql } from './sql.ts';

/** Where a change event channel's subscriber stands: the replay id of the last event applied, and when it was committed. */
interface StoredReplay {
  replayId: Buffer;
  eventAt: Date;
}

export async function readReplay(sql: Sql, channel: string): Promise<StoredReplay | undefined> {
  const [row] = await sql<{ replayId: Buffer; eventAt: Date }[]>`
    SELECT replay_id AS "replayId", event_at AS "eventAt" FROM pubsub_replay WHERE channel = ${channel}`;
  return row;
}

/**
 * Stores a channel's position after its events were applied. Only the sync leader writes (one subscriber per channel at
 * a time), so a plain upsert is enough; a stale leader's late write can only move the position back, which replays
 * events the apply path tolerates twice (completions and re-plan notices are idempotent).
 */
export async function writeReplay(sql: Sql, channel: string, replay: StoredReplay): Promise<void> {
  await sql`
    INSERT INTO pubsub_replay (channel, replay_id, event_at) VALUES (${channel}, ${replay.replayId}, ${replay.eventAt})
    ON CONFLICT (channel) DO UPDATE SET replay_id = excluded.replay_id, event_at = excluded.event_at, updated_at = now()`;
}

/** Forgets a channel's position (its replay id fell out of the retention window). */
export async function clearReplay(sql: Sql, channel: string): Promise<void> {
  await sql`DELETE FROM pubsub_replay WHERE channel = ${channel}`;
}

/** Every channel's stored position (the replay-age metric). */
export async function replayPositions(sql: Sql): Promise<{ channel: string; eventAt: Date }[]> {
  return sql<{ channel: string; eventAt: Date }[]>`SELECT channel, event_at AS "eventAt" FROM pubsub_replay ORDER BY channel`;
}
