import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/**
 * A small tree shaped like the repository: every import the rules allow, and one import breaking each rule. The
 * project's own .dependency-cruiser.cjs cruises it, as `npm run check:imports` cruises the repository.
 */
const FIXTURE: Record<string, string> = {
  'package.json': '{ "type": "module" }',
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', allowImportingTsExtensions: true, noEmit: true, strict: true },
  }),
  'node_modules/jsforce/package.json': '{ "name": "jsforce", "main": "index.js" }',
  'node_modules/jsforce/index.js': 'export const Connection = class {};',
  'node_modules/zod/package.json': '{ "name": "zod", "main": "index.js" }',
  'node_modules/zod/index.js': 'export const z = {};',
  'service/src/db/sql.ts': 'export type Sql = number;\nexport const sql: Sql = 1;',
  'service/src/workflows/change.ts': 'export const change = 1;',
  'service/src/words.ts': 'export const plural = 1;',
  'service/src/salesforce/context.ts': 'export const context = 1;',
  'service/src/plan/discovery.fixture.ts': 'export const fixture = 1;',
  'service/src/read-model/tasks.ts': "export { sql } from '../db/sql.ts';",
  'service/src/routes/allowed.ts':
    "import { sql } from '../read-model/tasks.ts';\nimport { change } from '../workflows/change.ts';\nexport default sql + change;",
  'service/src/routes/reads-db.ts': "import type { Sql } from '../db/sql.ts';\nexport const n: Sql = 1;",
  'service/src/imports-tests.ts': "import { helper } from '../../tests/helper.ts';\nexport default helper;",
  'service/src/cycle-a.ts': "import { b } from './cycle-b.ts';\nexport const a = () => b;",
  'service/src/cycle-b.ts': "import { a } from './cycle-a.ts';\nexport const b = () => a;",
  'tests/helper.ts': 'export const helper = 1;',
  'testkit/kit.ts': 'export const kit = 1;',
  'bench/bench.ts': "import { helper } from '../tests/helper.ts';\nexport default helper;",
  'dev/org-emulator/emulator.ts': "import { kit } from '../../testkit/kit.ts';\nexport default kit;",
  'processors/port.ts': "import { change } from '../service/src/workflows/change.ts';\nexport const port = change;",
  'processors/other/index.ts': 'export const other = 1;',
  'processors/tracker/helper.ts': 'export const helper = 1;',
  'processors/tracker/index.ts': [
    "import { createHash } from 'node:crypto';",
    "import { z } from 'zod';",
    "import { Connection } from 'jsforce';",
    "import { plural } from '../../service/src/words.ts';",
    "import { context } from '../../service/src/salesforce/context.ts';",
    "import { port } from '../port.ts';",
    "import { other } from '../other/index.ts';",
    "import { helper } from './helper.ts';",
    'export default [createHash, z, Connection, plural, context, port, other, helper];',
  ].join('\n'),
  'processors/tracker/tracker.test.ts': "import { fixture } from '../../service/src/plan/discovery.fixture.ts';\nexport default fixture;",
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let dir: string;
let run: { code: number; violations: Violation[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'import-boundaries-'));
  for (const [path, text] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  // As npm run check:imports runs it (its exit code), then again for the violations in JSON.
  const cruise = (...output: string[]) =>
    promisify(execFile)(
      process.execPath,
      [
        depcruise,
        '--config',
        join(root, '.dependency-cruiser.cjs'),
        ...output,
        'service',
        'processors',
        'bench',
        'dev',
        'tests',
        'testkit',
      ],
      { cwd: dir },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
  const [check, json] = await Promise.all([cruise(), cruise('--output-type', 'json')]);
  run = { code: check.code, violations: JSON.parse(json.stdout).summary.violations };
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const broken = (rule: string) =>
  run.violations
    .filter((v) => v.rule.name === rule)
    .map((v) => `${v.from} -> ${v.to.replace(/^.*node_modules\//, 'node_modules/')}`)
    .sort();

describe('the import boundaries (npm run check:imports, dependency-cruiser)', () => {
  it('fail the check when any rule is broken', () => {
    expect(run.code).not.toBe(0);
  });

  it('refuse product code importing tests/', () => {
    expect(broken('product-imports-no-tests')).toEqual(['service/src/imports-tests.ts -> tests/helper.ts']);
  });

  it('refuse a bench importing tests/ (testkit/ is the shared place)', () => {
    expect(broken('bench-imports-no-tests')).toEqual(['bench/bench.ts -> tests/helper.ts']);
  });

  it('refuse the org emulator importing testkit/ or tests/', () => {
    expect(broken('emulator-stands-alone')).toEqual(['dev/org-emulator/emulator.ts -> testkit/kit.ts']);
  });

  it('refuse processors, their port included, importing db/, workflows/ or jsforce', () => {
    expect(broken('processors-not-db-workflows-jsforce')).toEqual([
      'processors/port.ts -> service/src/workflows/change.ts',
      'processors/tracker/index.ts -> node_modules/jsforce/index.js',
    ]);
  });

  it('refuse a processor importing anything but its port, its folder, zod, node: and the shared helpers (tests excepted)', () => {
    expect(broken('processor-only-through-port')).toEqual([
      'processors/tracker/index.ts -> node_modules/jsforce/index.js',
      'processors/tracker/index.ts -> processors/other/index.ts',
      'processors/tracker/index.ts -> service/src/salesforce/context.ts',
    ]);
  });

  it('refuse a route importing db/, even for a type (the read model and the workflows are its way in)', () => {
    expect(broken('routes-read-through-read-model')).toEqual(['service/src/routes/reads-db.ts -> service/src/db/sql.ts']);
  });

  it('refuse an import cycle', () => {
    expect(broken('no-circular')).toEqual(['service/src/cycle-a.ts -> service/src/cycle-b.ts']);
  });

  it('report nothing else: every allowed import of the fixture passes', () => {
    const rules = new Set(run.violations.map((v) => v.rule.name));
    expect([...rules].sort()).toEqual([
      'bench-imports-no-tests',
      'emulator-stands-alone',
      'no-circular',
      'processor-only-through-port',
      'processors-not-db-workflows-jsforce',
      'product-imports-no-tests',
      'routes-read-through-read-model',
    ]);
    expect(run.violations).toHaveLength(10);
  });
});
