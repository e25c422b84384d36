/**
 * Vitest global setup: the PostgreSQL server on which every test file creates its own database.
 * - TEST_DATABASE_URL when it is set;
 * - else the default address, postgres@127.0.0.1 on libpq's PGPORT (5432 unless set), when a server answers there;
 * - else one throwaway embedded PostgreSQL server for the whole run, in a temporary directory removed after.
 * The choice reaches the test files (and the processes they start) as TEST_DATABASE_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../service/src/db/embedded/server.ts';

/** The address probed when TEST_DATABASE_URL is unset. */
export function defaultServerUrl(): string {
  return `postgres://postgres@127.0.0.1:${process.env.PGPORT || 5432}/postgres`;
}

/** Errors that mean nothing listens there (as opposed to a server that answers and refuses us). */
const NOTHING_THERE = new Set(['ECONNREFUSED', 'CONNECT_TIMEOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await sql`SELECT 1`;
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (NOTHING_THERE.has(code)) return false;
    throw new Error(
      `a PostgreSQL server answers on ${new URL(url).host} but the tests cannot use it (${(err as Error).message}); set TEST_DATABASE_URL`,
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DATABASE_URL) return undefined;
  const url = defaultServerUrl();
  if (await answers(url)) {
    process.env.TEST_DATABASE_URL = url;
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rap-test-postgres-'));
  // The executor tests open many connections at once.
  const server = await startEmbeddedPostgres(dir, { throwaway: true, settings: { max_connections: '300' } }).catch((err: Error) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const { user, password, host, port, database } = server.address;
  process.env.TEST_DATABASE_URL = `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
  console.log(`No PostgreSQL server answers on ${new URL(url).host}: the tests run on a throwaway embedded server on port ${port}.`);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
