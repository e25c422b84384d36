import type { Sql } from '../service/src/db/sql.ts';

/**
 * A digest of every row of every table of the test database (schema_migrations aside): equal before and after
 * means nothing at all was written, not only that row counts held. `except` leaves out tables a test expects to
 * change (the jtis of the signed assertions it sent, which the authentication records before any route runs).
 */
export async function databaseDigest(sql: Sql, opts: { except?: string[] } = {}): Promise<Record<string, string>> {
  const except = ['schema_migrations', ...(opts.except ?? [])];
  const tables = await sql<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> ALL(${except}) ORDER BY 1`;
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await sql<{ n: number; digest: string }[]>`
      SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${sql(name)} t`;
    out[name] = `${row!.n}:${row!.digest}`;
  }
  return out;
}
