import type { Sql } from './sql.ts';

export async function readCursor(sql: Sql, name: string): Promise<string | undefined> {
  const [row] = await sql<{ value: { since: string } }[]>`SELECT value FROM sync_state WHERE name = ${name}`;
  return row?.value.since;
}

export async function writeCursor(sql: Sql, name: string, since: string): Promise<void> {
  await sql`
    INSERT INTO sync_state (name, value) VALUES (${name}, ${sql.json({ since })})
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = now()`;
}
