import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './owner.ts';

/** The file a start holds while it creates, starts and claims DATA_DIR's server. */
const START_LOCK = 'start.lock';

/**
 * Serialises starts of one DATA_DIR: from creating the cluster to claiming the running server, one start at a time.
 * Without it, two first starts on an empty DATA_DIR both ran initdb into the same scratch directory (`initdb failed`,
 * `ENOTEMPTY`) and both wrote a password. With it, the second waits until the first has claimed its server, then
 * finds the server owned and refuses with the one line every second start gives (DataDirInUseError).
 *
 * Exclusion is the atomic create-if-absent of the lock file (O_EXCL, atomic on a local filesystem); the file holds
 * the pid of its holder. A lock whose pid is dead (a start killed mid-way) is moved aside and removed; should two
 * starts take over the same dead lock at once, the later guards still refuse the second (the scratch directory's
 * rename, PostgreSQL's postmaster.pid and the owner's advisory lock), with a less friendly message.
 */
export async function holdStartLock(dataDir: string, pollMs = 100): Promise<{ release(): void }> {
  const file = join(dataDir, START_LOCK);
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = holderOf(file);
    // An empty file is a start between creating and writing it: alive. A dead holder's lock is removed.
    if (holder !== undefined && !isAlive(holder)) removeStale(file, holder);
    else await sleep(pollMs);
  }
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Moves the lock aside and removes it; had a live start's fresh lock been moved instead, it is linked back first. */
function removeStale(file: string, deadPid: number): void {
  const aside = `${file}.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else moved it first
  }
  if (holderOf(aside) !== deadPid) {
    // Linked back only where no newer lock exists (link never replaces); if one does, the later guards decide.
    try {
      linkSync(aside, file);
    } catch {
      /* a newer lock stands */
    }
  }
  rmSync(aside, { force: true });
}
