// `npm run check:imports`: the import boundaries, part of `npm test`.
// - Nothing the product runs (service/src, scripts, processors) or the benches import imports tests/.
// - Processors reach the service only through their port: nothing from service/src/db, service/src/workflows or jsforce.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

interface Rule {
  from: string;
  forbidden: string[];
  why: string;
}
const rules: Rule[] = [
  { from: 'service/src', forbidden: ['tests/'], why: 'production code does not import test code' },
  { from: 'scripts', forbidden: ['tests/'], why: 'scripts do not import test code' },
  {
    from: 'processors',
    forbidden: ['tests/', 'service/src/db/', 'service/src/workflows/', 'jsforce'],
    why: 'processors use only their port (processors/port.ts)',
  },
  { from: 'bench', forbidden: ['tests/'], why: 'benches share helpers with tests through testkit/' },
  { from: 'dev', forbidden: ['tests/', 'testkit/'], why: 'the org emulator is a tool of its own' },
];

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|js|mjs)$/.test(name)) yield path;
  }
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** The imports of a file, as paths from the repository root (packages by name). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map(([, spec]) => (spec!.startsWith('.') ? relative(root, resolve(dirname(file), spec!)) : spec!));
}

const violations: string[] = [];
for (const rule of rules) {
  for (const file of sourceFiles(join(root, rule.from))) {
    for (const target of importsOf(file)) {
      const hit = rule.forbidden.find((f) => (f.endsWith('/') ? target.startsWith(f) : target === f || target.startsWith(`${f}/`)));
      if (hit) violations.push(`${relative(root, file)} imports ${target}: ${rule.why}`);
    }
  }
}
if (violations.length) {
  console.error(`Import boundaries broken:\n${violations.map((v) => `  ${v}`).join('\n')}`);
  process.exit(1);
}
console.log(`Import boundaries hold (${rules.map((r) => r.from).join(', ')}).`);
