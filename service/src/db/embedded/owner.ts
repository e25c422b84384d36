import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { wallClockMs } from '../../clock.ts';

/**
 * Who owns a running embedded server. The process that started it holds a session advisory lock for as long as it
 * lives; the kernel closes that connection when the process dies, however it dies. So a live server whose lock is
 * free has lost its owner (it was SIGKILLed, or crashed): an orphan the next start may stop and take over.
 */
const OWNER_LOCK = 1_702_017;

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

export function inUse(dataDir: string, detail: string): DataDirInUseError {
  return new DataDirInUseError(
    `DATA_DIR ${dataDir} is in use by another running process (${detail}); stop it first, or set DATA_DIR to another directory`,
  );
}

/** Holds the owner lock until `release()` (or until this process ends). Throws DataDirInUseError when it is taken. */
export async function claimOwnership(address: ServerAddress, dataDir: string): Promise<{ release(): Promise<void> }> {
  const sql = ownerConnection(address);
  try {
    const [row] = await sql<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${OWNER_LOCK}) AS ok`;
    if (!row!.ok) throw inUse(dataDir, await holderOf(sql, address.port));
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw err;
  }
  return { release: () => sql.end({ timeout: 5 }) };
}

/** The server a previous start left running in `pgdata`, from PostgreSQL's own lock file, if its process lives. */
export function runningPostmaster(pgdata: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && port > 0 ? { pid, port } : undefined;
}

/**
 * 'owned' when a live process holds the owner lock, 'orphan' when nobody did on two tries a moment apart (the
 * moment covers a start that has its server up but has not claimed it yet), 'unreachable' when the server does not
 * answer (it is starting, stopping, or the pid file's process is not PostgreSQL).
 */
export async function ownerOf(address: ServerAddress): Promise<{ owner: string } | 'orphan' | 'unreachable'> {
  const sql = ownerConnection(address, 3);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0) await sleep(1_000);
      const [row] = await sql<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${OWNER_LOCK}) AS ok`;
      if (!row!.ok) return { owner: await holderOf(sql, address.port) };
      await sql`SELECT pg_advisory_unlock(${OWNER_LOCK})`;
    }
    return 'orphan';
  } catch {
    return 'unreachable';
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Fast shutdown of a server whose owner is gone, waiting until its process has exited. */
export async function stopOrphan(pid: number, timeoutMs = 60_000): Promise<void> {
  process.kill(pid, 'SIGINT');
  for (const until = wallClockMs() + timeoutMs; wallClockMs() < until; await sleep(50)) if (!isAlive(pid)) return;
  throw new Error(`the embedded PostgreSQL server left by a previous run (pid ${pid}) did not stop`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Names the process holding the owner lock (its pid travels in the connection's application_name). */
async function holderOf(sql: postgres.Sql, port: number): Promise<string> {
  const [row] = await sql<{ name: string }[]>`
    SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.objid = ${OWNER_LOCK} AND l.granted`;
  const pid = row?.name.match(/pid (\d+)/)?.[1];
  return `${pid ? `pid ${pid}` : 'a process'}, whose embedded PostgreSQL server listens on port ${port}`;
}

function ownerConnection(address: ServerAddress, connectTimeout = 10) {
  return postgres({
    ...address,
    max: 1,
    // The lock lives as long as this one connection: never recycle it.
    max_lifetime: null,
    idle_timeout: 0,
    connect_timeout: connectTimeout,
    onnotice: () => undefined,
    connection: { application_name: `renewal-action-plans owner pid ${process.pid}` },
  });
}
