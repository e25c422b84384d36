import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const knip = join(root, 'node_modules/knip/bin/knip.js');

/** A small project with the repository's knip.jsonc: what is used, and one of each thing nothing uses. */
const FIXTURE: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'fixture',
    type: 'module',
    scripts: { start: 'node scripts/start.ts' },
    dependencies: { zod: '4.0.0', 'left-pad': '1.3.0' },
  }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', allowImportingTsExtensions: true, noEmit: true } }),
  'node_modules/zod/package.json': '{ "name": "zod", "main": "index.js" }',
  'node_modules/zod/index.js': 'export const z = {};',
  'scripts/start.ts': "import { used } from '../service/src/words.ts';\nconsole.log(used);",
  'service/src/words.ts':
    "import { z } from 'zod';\nexport const used = z;\nexport const nothingImportsThis = 1;\nexport type NorThis = string;",
  'service/src/orphan.ts': 'export const orphan = 1;',
};

let dir: string;
let run: {
  code: number;
  issues: { file: string; exports: { name: string }[]; types: { name: string }[] }[];
  files: string[];
  dependencies: string[];
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'unused-code-'));
  for (const [path, text] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  copyFileSync(join(root, 'knip.jsonc'), join(dir, 'knip.jsonc'));
  const { code, stdout } = await promisify(execFile)(process.execPath, [knip, '--reporter', 'json', '--no-config-hints'], {
    cwd: dir,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
  );
  const report = JSON.parse(stdout) as {
    issues: {
      file: string;
      exports: { name: string }[];
      types: { name: string }[];
      files?: { name: string }[];
      dependencies: { name: string }[];
    }[];
    files?: string[];
  };
  run = {
    code,
    issues: report.issues,
    files: report.files ?? report.issues.flatMap((i) => (i.files?.length ? [i.file] : [])),
    dependencies: report.issues.flatMap((i) => i.dependencies.map((d) => d.name)),
  };
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('unused code (npm run check:exports, knip)', () => {
  it('fails the check', () => {
    expect(run.code).not.toBe(0);
  });

  it('names the export and the type nothing imports, and not the used one', () => {
    const words = run.issues.find((i) => i.file === 'service/src/words.ts')!;
    expect(words.exports.map((e) => e.name)).toEqual(['nothingImportsThis']);
    expect(words.types.map((t) => t.name)).toEqual(['NorThis']);
  });

  it('names the file nothing imports', () => {
    expect(run.files).toEqual(['service/src/orphan.ts']);
  });

  it('names the dependency nothing imports', () => {
    expect(run.dependencies).toEqual(['left-pad']);
  });
});
