import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_FILE } from '../../service/src/db/embedded/service-file.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** The environment of a newcomer's shell: no database, no Salesforce, no key; only what each call sets. */
function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (/^(DATABASE_URL|TEST_DATABASE_URL|SERVICE_API_KEY|SF_|OPENAI_|PORT$|DATA_DIR$)/.test(name)) delete env[name];
  return { ...env, PORT: '0', EXECUTOR_ENABLED: 'false', LOG_LEVEL: 'warn', ...extra };
}

interface Start {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** 'listening' once the banner is out, or the exit code. */
  outcome: Promise<'listening' | number>;
}

/** `npm start` as a child process (node + tsx, as the npm script runs it). */
function npmStart(dataDir: string): Start {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: shellEnv({ DATA_DIR: dataDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const start: Start = { child, stdout: '', stderr: '', outcome: undefined as never };
  start.outcome = new Promise((resolve) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      start.stdout += d;
      if (/Renewal Action Plans is listening on/.test(start.stdout)) resolve('listening');
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (start.stderr += d));
    child.once('exit', (code) => resolve(code ?? -1));
  });
  return start;
}

/** Stops a started service as Ctrl-C would, and waits until it has exited (its database with it). */
async function stop(start: Start): Promise<void> {
  if (start.child.exitCode !== null) return;
  const exited = new Promise((resolve) => start.child.once('exit', resolve));
  start.child.kill('SIGINT');
  await exited;
}

/** `npm run tasks -- <args>` in a shell with only DATA_DIR set. */
async function tasksCli(dataDir: string, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/tasks-cli.ts', ...args], {
    cwd: ROOT,
    env: shellEnv({ DATA_DIR: dataDir }),
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

const IN_USE =
  /^Renewal Action Plans could not start: DATA_DIR .+ is in use by another running process \(pid \d+, whose embedded PostgreSQL server listens on port \d+\); stop it first, or set DATA_DIR to another directory$/;

// Each test starts real service processes (an embedded PostgreSQL initdb among them): minutes on a loaded 2-core machine.
describe('the operator on the embedded mode (issue 28)', { timeout: 180_000 }, () => {
  const dirs: string[] = [];
  const starts: Start[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rap-runbook-'));
    dirs.push(dir);
    return dir;
  };
  const started = (s: Start) => (starts.push(s), s);
  afterEach(async () => {
    for (const s of starts.splice(0)) await stop(s);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('two simultaneous first starts on an empty DATA_DIR: exactly one serves, the other exits with the one line of a second start', async () => {
    const dataDir = tempDir();
    const pair = [started(npmStart(dataDir)), started(npmStart(dataDir))];
    const outcomes = await Promise.all(pair.map((s) => s.outcome));
    expect(outcomes.sort()).toEqual([1, 'listening']);
    const refused = pair.find((s) => s.child.exitCode === 1)!;
    const refusal = refused.stderr.trim();
    expect(refusal).toMatch(IN_USE);
    expect(refusal).not.toContain('\n');
    // A later second start, with the first one serving, says the very same line.
    const later = started(npmStart(dataDir));
    expect(await later.outcome).toBe(1);
    expect(later.stderr.trim()).toBe(refusal);
  });

  it('the runbook CLI finds the running service from DATA_DIR alone, and says in one line when nothing runs', async () => {
    const dataDir = tempDir();
    const service = started(npmStart(dataDir));
    expect(await service.outcome).toBe('listening');
    expect(statSync(join(dataDir, SERVICE_FILE)).mode & 0o777).toBe(0o600);

    const depth = await tasksCli(dataDir, 'depth');
    expect(depth.code).toBe(0);
    expect(JSON.parse(depth.stdout)).toEqual({ queued: 0, running: 0, success: 0, failed: 0 });
    expect(depth.stderr.trim()).toMatch(
      new RegExp(
        `^database: the embedded PostgreSQL of the service running from DATA_DIR \\(pid ${service.child.pid}, http://127\\.0\\.0\\.1:\\d+\\), on 127\\.0\\.0\\.1:\\d+$`,
      ),
    );
    const mirrors = await tasksCli(dataDir, 'mirrors');
    expect(mirrors.code).toBe(0);
    expect(mirrors.stdout).toContain("salesforce tasks skipped (carry a plan task's key, not the Task the mirror wrote): 0");

    await stop(service);
    expect(existsSync(join(dataDir, SERVICE_FILE))).toBe(false);
    const stopped = await tasksCli(dataDir, 'depth');
    expect(stopped).toMatchObject({ code: 1, stdout: '' });
    expect(stopped.stderr).toBe(
      `npm run tasks: no service is running from DATA_DIR ${dataDir}: start it (npm start), or set DATABASE_URL to reach a database directly\n`,
    );

    // A DATA_DIR nothing ever ran from: the same one line, and no database is created there.
    const never = join(tempDir(), 'never-started');
    const none = await tasksCli(never, 'mirrors');
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toEqual([
      `npm run tasks: no service is running from DATA_DIR ${never}: start it (npm start), or set DATABASE_URL to reach a database directly`,
    ]);
    expect(existsSync(never)).toBe(false);
  });
});
