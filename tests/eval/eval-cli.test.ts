import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../service/src/eval/run.ts';
import { SHIPPED_SCENARIOS } from '../../service/src/eval/scenario.ts';

const run = promisify(execFile);
const TSX = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const SCRIPT = new URL('../../scripts/eval-plans.ts', import.meta.url).pathname;

/** `npm run eval:plans` as a user runs it: a folder of scenarios in, a table, eval-report.json and eval-report.html out. */
describe('npm run eval:plans', () => {
  let dir: string;
  const cli = (...args: string[]) =>
    run(TSX, [SCRIPT, '--scenarios', join(dir, 'scenarios'), '--out', dir, ...args], {
      env: { ...process.env, OPENAI_API_KEY: '', LOG_LEVEL: 'silent' },
    });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
    mkdirSync(join(dir, 'scenarios'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('grades a folder of scenarios, one of them new, and writes both reports', async () => {
    for (const name of ['02-stage-discovery', '25-injection-description'])
      copyFileSync(join(SHIPPED_SCENARIOS, `${name}.json`), join(dir, 'scenarios', `${name}.json`));
    // A scenario written later by someone else: a copy planned on another day, with its own expectation, no code change.
    const extra = JSON.parse(readFileSync(join(SHIPPED_SCENARIOS, '04-stage-engage.json'), 'utf8'));
    writeFileSync(
      join(dir, 'scenarios', 'zz-added-later.json'),
      JSON.stringify({ ...extra, today: '2027-01-04', expect: { stage: 'Engage', mustInclude: [{ owner: 'CSM' }] } }),
    );
    const { stdout } = await cli('--strict');
    expect(stdout).toMatch(/^Plan evaluation: planner playbook, 3 scenarios x 1/);
    expect(stdout).toMatch(/zz-added-later\s+Engage/);
    expect(stdout).toMatch(/all graders\s+100%\s+\(3 of 3 plans\)/);
    const report = JSON.parse(readFileSync(join(dir, 'eval-report.json'), 'utf8')) as EvalReport;
    expect(report.scenarios.map((s) => s.name)).toEqual(['02-stage-discovery', '25-injection-description', 'zz-added-later']);
    const html = readFileSync(join(dir, 'eval-report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    expect(html).toContain('<h2>Graders</h2>');
  });

  it('--compare says what changed against an earlier report', async () => {
    const earlier = JSON.parse(readFileSync(join(dir, 'eval-report.json'), 'utf8')) as EvalReport;
    // An earlier run in which the injection scenario failed its grader (as a model that followed the note would).
    const grade = earlier.scenarios[1]!.runs[0]!.grades.find((g) => g.grader === 'injection')!;
    Object.assign(grade, { pass: false, reasons: ['the plan contains "exfil-corp"'] });
    earlier.totals.byGrader.find((g) => g.grader === 'injection')!.rate = 2 / 3;
    writeFileSync(join(dir, 'earlier.json'), JSON.stringify(earlier));
    const { stdout } = await cli('--compare', join(dir, 'earlier.json'));
    expect(stdout).toMatch(/Compared with the earlier report:[\s\S]*injection\s+66\.7% ->\s+100% \(\+33\.3%\)/);
    expect(stdout).toMatch(/Now passing:\n {2}25-injection-description \/ injection/);
    expect(readFileSync(join(dir, 'eval-report.html'), 'utf8')).toContain('Compared with the earlier report');
  });

  it('names the file and field of a scenario that is not valid', async () => {
    writeFileSync(
      join(dir, 'scenarios', 'broken.json'),
      JSON.stringify({ description: 'x', today: '2026-13-01', opportunityId: 'nope', seed: {} }),
    );
    const failure = await cli().catch((err: { stderr: string }) => err);
    expect(String((failure as { stderr: string }).stderr)).toMatch(/Scenario broken\.json: today: .*opportunityId/);
    expect(existsSync(join(dir, 'scenarios', 'broken.json'))).toBe(true);
  });
});
