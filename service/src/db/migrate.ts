import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from './sql.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
// Any constant shared by every instance: the advisory lock serialises concurrent starts.
const MIGRATION_LOCK = 7_310_551_204;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered migration files (`0001_init.sql`, ...), in order. */
export function migrationFiles(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(new URL(f, MIGRATIONS_DIR), 'utf8') }));
}

/**
 * Applies pending migrations, each in its own transaction, recorded in `schema_migrations`.
 * A session advisory lock makes concurrent starts wait for each other instead of racing.
 */
export async function migrate(sql: Sql, migrations = migrationFiles()): Promise<string[]> {
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      await conn`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
      await conn`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
      const done = new Set((await conn<{ version: number }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await conn.unsafe('BEGIN');
        try {
          await conn.unsafe(m.sql);
          await conn`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
          await conn.unsafe('COMMIT');
        } catch (err) {
          await conn.unsafe('ROLLBACK');
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
        }
        applied.push(m.name);
      }
    } finally {
      await conn`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
      conn.release();
    }
  });
  return applied;
}

/** True when every migration file has been applied. */
export async function migrationsCurrent(sql: Sql): Promise<boolean> {
  const rows = await sql<{ version: number }[]>`SELECT version FROM schema_migrations`.catch(() => []);
  const done = new Set(rows.map((r) => r.version));
  return migrationFiles().every((m) => done.has(m.version));
}
