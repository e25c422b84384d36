import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clusterPaths } from './cluster.ts';
import { isAlive, runningPostmaster } from './owner.ts';

/**
 * `DATA_DIR/service.json`: where the service running from DATA_DIR listens and how to reach its database, so the
 * runbook CLI (`npm run tasks`) finds it from DATA_DIR alone. Readable by its owner only (0600); it names the password
 * file, never the password. Removed when the service stops; a file left by a killed service is recognised as stale
 * (its pid is dead, or the embedded server it names is no longer the one running in DATA_DIR).
 */
export const SERVICE_FILE = 'service.json';

interface ServiceFile {
  pid: number;
  /** Where the HTTP API listens. */
  url: string;
  database:
    | { kind: 'embedded'; host: string; port: number; user: string; database: string; passwordFile: string }
    /** The service uses DATABASE_URL; its value (with its password) is not written down. */
    | { kind: 'server' };
}

/** Writes the file atomically (a reader never sees half of it), readable by its owner only. */
export function writeServiceFile(dataDir: string, info: ServiceFile): void {
  const file = join(dataDir, SERVICE_FILE);
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  renameSync(partial, file);
}

/** Removes the file if this process wrote it (a later start's file is left alone). */
export function removeServiceFile(dataDir: string, pid = process.pid): void {
  const file = join(dataDir, SERVICE_FILE);
  if (readServiceFile(file)?.pid === pid) rmSync(file, { force: true });
}

type RunningService = { state: 'running'; info: ServiceFile; password?: string } | { state: 'none'; reason: string };

/** The service running from `dataDir`, as its file says and the processes confirm. */
export function runningServiceOf(dataDir: string): RunningService {
  const dir = resolve(dataDir);
  const info = readServiceFile(join(dir, SERVICE_FILE));
  if (!info) return { state: 'none', reason: `no service is running from DATA_DIR ${dir}` };
  if (!isAlive(info.pid)) return { state: 'none', reason: `no service is running from DATA_DIR ${dir} (pid ${info.pid} has stopped)` };
  if (info.database.kind === 'server') return { state: 'running', info };
  const paths = clusterPaths(dir);
  if (runningPostmaster(paths.pgdata)?.port !== info.database.port)
    return { state: 'none', reason: `no service is running from DATA_DIR ${dir} (its database on port ${info.database.port} has stopped)` };
  return { state: 'running', info, password: readFileSync(info.database.passwordFile, 'utf8').trim() };
}

function readServiceFile(file: string): ServiceFile | undefined {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as ServiceFile;
    return Number.isInteger(info.pid) && typeof info.url === 'string' && info.database ? info : undefined;
  } catch {
    return undefined;
  }
}
