import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../service/src/db/embedded/server.ts';
import { isAlive } from '../../service/src/db/embedded/owner.ts';
import { eventually } from '../../testkit/executor/fixtures.ts';

const OWNER = new URL('../../testkit/embedded-owner-process.ts', import.meta.url).pathname;

/** Starts a process that owns the server of `dataDir`; resolves with both pids once the server is up. */
async function startOwner(dataDir: string): Promise<{ ownerPid: number; serverPid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', OWNER, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const serverPid = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = out.match(/ready (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`the owner process exited: ${out}`)));
  });
  return { ownerPid: child.pid!, serverPid };
}

async function survivors(server: EmbeddedServer): Promise<string[]> {
  const sql = postgres({ ...server.address, max: 1, onnotice: () => undefined });
  try {
    return (await sql<{ note: string }[]>`SELECT note FROM survivors`).map((r) => r.note);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe('the embedded server after a crash', () => {
  const dirs: string[] = [];
  const servers: EmbeddedServer[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rap-crash-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('takes over a server whose owning process was SIGKILLed, with its data', async () => {
    const dir = dataDir();
    const { ownerPid, serverPid } = await startOwner(dir);
    process.kill(ownerPid, 'SIGKILL');
    await eventually(async () => !isAlive(ownerPid), 'the owner to die');
    expect(isAlive(serverPid)).toBe(true); // the orphan still holds the directory

    const server = await startEmbeddedPostgres(dir);
    servers.push(server);
    expect(isAlive(serverPid)).toBe(false);
    expect(server.pid).not.toBe(serverPid);
    expect(await survivors(server)).toEqual(['written before the crash']);
  });

  it('starts again after the server itself was killed, from the stale postmaster.pid and its WAL', async () => {
    const dir = dataDir();
    const { ownerPid, serverPid } = await startOwner(dir);
    // The whole server at once (postmaster and backends share its process group), then its owner: a power cut.
    process.kill(-serverPid, 'SIGKILL');
    process.kill(ownerPid, 'SIGKILL');
    await eventually(async () => !isAlive(serverPid) && !isAlive(ownerPid), 'the server and its owner to die');
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(true);

    const server = await startEmbeddedPostgres(dir);
    servers.push(server);
    expect(await survivors(server)).toEqual(['written before the crash']);
  });

  it('stops cleanly, and starts again with its data and the password it generated the first time', async () => {
    const dir = dataDir();
    const first = await startEmbeddedPostgres(dir);
    const sql = postgres({ ...first.address, max: 1, onnotice: () => undefined });
    await sql`CREATE TABLE survivors (note text)`;
    await sql`INSERT INTO survivors VALUES ('kept across a restart')`;
    await sql.end();
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(false);

    const again = await startEmbeddedPostgres(dir);
    servers.push(again);
    expect(again.address.password).toBe(first.address.password);
    expect(readFileSync(join(dir, 'postgres-password'), 'utf8').trim()).toBe(first.address.password);
    expect(await survivors(again)).toEqual(['kept across a restart']);
  });
});
