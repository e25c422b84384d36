// The default logger's stdout (log.ts stdoutByTurn): the lines of one turn of the event loop go out in one write, in
// order, and a process that exits (process.exit, or an uncaught exception) writes its pending lines first. Run in
// child processes, whose stdout is a pipe as under a process manager; `strace` is not needed: the writes are counted by
// wrapping fs.writeSync, which sonic-boom's synchronous mode calls once per write.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const logModule = new URL('./log.ts', import.meta.url).href;

function run(body: string) {
  const script = `
    import fs from 'node:fs';
    let writes = 0;
    const writeSync = fs.writeSync;
    fs.writeSync = (...args) => { if (args[0] === 1) writes++; return writeSync(...args); };
    process.on('exit', () => fs.writeSync(2, 'writes ' + writes + '\\n'));
    const { createLogger } = await import(${JSON.stringify(logModule)});
    const log = createLogger('info');
    ${body}`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const lines = child.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string });
  return { msgs: lines.map((l) => l.msg), writes: Number(/writes (\d+)/.exec(child.stderr)?.[1]), status: child.status };
}

describe('the logger on stdout', () => {
  it('writes the lines of one turn together, in order, and each turn apart', () => {
    const out = run(`
      log.info('a'); log.info('b'); log.warn('c');
      setTimeout(() => log.info('d'), 20);`);
    expect(out.msgs).toEqual(['a', 'b', 'c', 'd']);
    expect(out.writes).toBe(2);
  });

  it('writes the pending lines of a process that exits in the same turn', () => {
    expect(run(`log.info('before exit'); process.exit(3);`)).toMatchObject({ msgs: ['before exit'], status: 3 });
    expect(run(`log.error('about to fail'); throw new Error('boom');`)).toMatchObject({ msgs: ['about to fail'], status: 1 });
  });
});
