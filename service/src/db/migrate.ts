import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from './sql.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
// Any constant shared by every instance: the advisory lock serialises concurrent starts.
const MIGRATION_LOCK = 7_310_551_204;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The numbered migration files (`0001_init.sql`, ...), in order. Two files with one number (branches merged without
 * renumbering) are refused here, by name, rather than by the migrations table's key halfway through a run.
 */
export function migrationFiles(): Migration[] {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(new URL(f, MIGRATIONS_DIR), 'utf8') }));
  const taken = files.filter((m, i) => files[i - 1]?.version === m.version);
  if (taken.length) throw new Error(`two migrations share a number: ${taken.map((m) => m.name).join(', ')} (renumber one)`);
  return files;
}

/** The checksum recorded for a migration: a migration is never edited once applied. */
export const checksumOf = (m: Migration): string => createHash('sha256').update(m.sql).digest('hex');

/** A migration file changed after it was applied: the service refuses to start rather than run on a schema it cannot know. */
class MigrationChecksumMismatch extends Error {
  override name = 'MigrationChecksumMismatch';
}

/**
 * Applies pending migrations, each in its own transaction, recorded in `schema_migrations` with its checksum.
 * Throws MigrationChecksumMismatch when an applied migration's file changed since (migrations are append-only:
 * write a new one). A session advisory lock makes concurrent starts wait for each other instead of racing.
 */
export async function migrate(sql: Sql, migrations = migrationFiles()): Promise<string[]> {
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      await conn`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
      await conn`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
      await conn`ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text`;
      const rows = await conn<{ version: number; checksum: string | null }[]>`SELECT version, checksum FROM schema_migrations`;
      const done = new Map(rows.map((r) => [r.version, r.checksum]));
      for (const m of migrations) {
        if (!done.has(m.version)) continue;
        const recorded = done.get(m.version);
        // Applied before checksums were recorded: record the file as it is now.
        if (recorded === null) await conn`UPDATE schema_migrations SET checksum = ${checksumOf(m)} WHERE version = ${m.version}`;
        else if (recorded !== checksumOf(m))
          throw new MigrationChecksumMismatch(
            `migration ${m.name} was edited after it was applied (checksum ${checksumOf(m).slice(0, 12)}, recorded ${recorded!.slice(0, 12)}); write a new migration instead`,
          );
      }
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await conn.unsafe('BEGIN');
        try {
          await conn.unsafe(m.sql);
          await conn`INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, ${m.name}, ${checksumOf(m)})`;
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
