import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrate } from '../service/src/db/migrate.ts';
import type { Database, Sql } from '../service/src/db/sql.ts';
import { defaultServerUrl } from './database-server.ts';

/**
 * The real PostgreSQL server the tests use: TEST_DATABASE_URL, which the global setup (database-server.ts) sets
 * to the local server or to a throwaway embedded one; the default address outside vitest (the benches).
 */
const SERVER_URL = process.env.TEST_DATABASE_URL ?? defaultServerUrl();

/**
 * A fresh database on the real PostgreSQL server for one test file, migrated, and dropped by `drop()`.
 * Returns the same shape the service uses.
 */
export async function freshDatabase(
  opts: { migrate?: boolean; poolMax?: number; onQuery?: (query: string) => void } = {},
): Promise<Database & { url: string; drop(): Promise<void> }> {
  const name = `rap_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), {
    max: opts.poolMax ?? 5,
    onnotice: () => undefined,
    transform: { undefined: null },
    ...(opts.onQuery ? { debug: (_conn: number, query: string) => opts.onQuery!(query) } : {}),
  }) as Sql;
  if (opts.migrate !== false) await migrate(sql);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await sql.end({ timeout: 5 });
  };
  return {
    sql,
    kind: 'server',
    url: url.toString(),
    close,
    async drop() {
      await close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}
