import type { Sql } from './sql.ts';
import { jsonParam } from './json.ts';

/** A named position of a sync (e.g. the completion pull's keyset), stored as JSON. */
export async function readSyncState<T extends object>(sql: Sql, name: string): Promise<T | undefined> {
  const [row] = await sql<{ value: T }[]>`SELECT value FROM sync_state WHERE name = ${name}`;
  return row?.value;
}

export async function writeSyncState(sql: Sql, name: string, value: object): Promise<void> {
  await sql`
    INSERT INTO sync_state (name, value) VALUES (${name}, ${jsonParam(sql, value)})
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = now()`;
}
