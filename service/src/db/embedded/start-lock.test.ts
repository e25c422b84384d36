import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runningServiceOf, SERVICE_FILE } from './service-file.ts';
import { holdStartLock } from './start-lock.ts';

/** The pid of a process that has exited (reaped, so no live process holds it until the kernel reuses it). */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('the start lock of a DATA_DIR', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'rap-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is held by one start at a time: the next gets it once the first releases it', async () => {
    const d = dir();
    const first = await holdStartLock(d, 5);
    expect(readFileSync(join(d, 'start.lock'), 'utf8').trim()).toBe(String(process.pid));
    let secondHolds = false;
    const second = holdStartLock(d, 5).then((lock) => ((secondHolds = true), lock));
    // The second start is still waiting (the lock file is the first's) until the first releases it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondHolds).toBe(false);
    first.release();
    (await second).release();
    expect(existsSync(join(d, 'start.lock'))).toBe(false);
  });

  it('takes over the lock of a start that died holding it', async () => {
    const d = dir();
    writeFileSync(join(d, 'start.lock'), `${deadPid()}\n`);
    const lock = await holdStartLock(d, 5);
    expect(readFileSync(join(d, 'start.lock'), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });
});

describe('the service file of a DATA_DIR', () => {
  it('is stale when the process that wrote it has stopped', () => {
    const d = mkdtempSync(join(tmpdir(), 'rap-service-file-'));
    try {
      const pid = deadPid();
      writeFileSync(join(d, SERVICE_FILE), JSON.stringify({ pid, url: 'http://127.0.0.1:1', database: { kind: 'server' } }));
      expect(runningServiceOf(d)).toEqual({ state: 'none', reason: `no service is running from DATA_DIR ${d} (pid ${pid} has stopped)` });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
