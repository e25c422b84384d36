import { spawn, type ChildProcess } from 'node:child_process';

const WORKER = new URL('./worker-process.ts', import.meta.url).pathname;

export interface WorkerProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** Starts an executor in its own Node process (see worker-process.ts) and resolves once it is listening. */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.push(...d.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr.join('\n')}`)), 60_000);
    const check = () => {
      if (stdout.includes('ready')) {
        clearTimeout(timer);
        resolve();
      } else setTimeout(check, 25);
    };
    child.once('exit', () => reject(new Error(`worker exited before it was ready: ${stderr.join('\n')}`)));
    check();
  });
  return { child, stdout, stderr, exited };
}
