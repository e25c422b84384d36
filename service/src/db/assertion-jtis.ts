import type { Sql } from './sql.ts';

/**
 * Records the jti of an accepted user assertion; false when it was recorded before (a replay). The decision is the
 * INSERT's: `ON CONFLICT DO NOTHING` on the primary key, so of two requests (in any instances) carrying the same jti at
 * once exactly one inserts, whatever the isolation level (the unique index serialises them).
 */
export async function recordAssertionJti(sql: Sql, jti: string, userId: string, acceptedUntil: Date): Promise<boolean> {
  const rows = await sql`
    INSERT INTO assertion_jtis (jti, user_id, accepted_until) VALUES (${jti}, ${userId}, ${acceptedUntil})
    ON CONFLICT (jti) DO NOTHING RETURNING jti`;
  return rows.length === 1;
}

/**
 * Deletes the jtis of assertions that could no longer be accepted at `now` (their exp and leeway passed): a replay of
 * one is refused as expired before its jti is looked up. Returns how many went.
 */
export async function pruneAssertionJtis(sql: Sql, now: Date): Promise<number> {
  const rows = await sql`DELETE FROM assertion_jtis WHERE accepted_until < ${now} RETURNING jti`;
  return rows.length;
}
