// `npm run check:platform` (part of `npm test`): the Salesforce platform's own checks, offline, over force-app:
// the LWC platform compiler, apex-ls (Apex semantics) and Salesforce Code Analyzer (Recommended rules). They are
// lint runs, not tests of this repository's code, so they run here, side by side, rather than inside vitest, where
// they were the slowest files (Code Analyzer ~33 s, apex-ls ~13 s).
//
// Each check also runs once on a copy of the project with a file seeded to break it (a template the platform rejects,
// an Apex type error, a SOQL injection) and must report it: a check that cannot fail (Java missing, a rule set
// renamed, a compiler that returns nothing) fails this step instead of passing silently.
import { join } from 'node:path';
import { checkApex } from './platform/apex-ls.ts';
import { analyzeRecommended, formatFindings } from './platform/code-analyzer.ts';
import { compileLwcBundles } from './platform/lwc-compiler.ts';
import { apexClassMeta, PROJECT_ROOT, scratchProject } from './platform/scratch-copy.ts';

const LWC = join('force-app', 'main', 'default', 'lwc');
const CLASSES = join('force-app', 'main', 'default', 'classes');

interface Outcome {
  name: string;
  ok: boolean;
  report: string;
}

/** Runs a check on a scratch copy of the project with some files written into it; the copy is removed after. */
async function onBrokenCopy<T>(files: Record<string, string>, check: (dir: string) => Promise<T>): Promise<T> {
  const scratch = scratchProject();
  try {
    for (const [path, content] of Object.entries(files)) scratch.write(path, content);
    return await check(scratch.dir);
  } finally {
    scratch.remove();
  }
}

async function lwcCompiler(): Promise<Outcome[]> {
  const name = 'LWC platform compiler';
  const { bundles, errors } = await compileLwcBundles(join(PROJECT_ROOT, LWC));
  const clean = {
    name,
    ok: bundles > 0 && errors.length === 0,
    report: `${bundles} bundles, ${errors.length} errors${errors.map((e) => `\n  ${e.file}:${e.line ?? '?'} ${e.message}`).join('')}`,
  };
  const seeded = await onBrokenCopy(
    {
      [join(LWC, 'badTemplate', 'badTemplate.js')]:
        "import { LightningElement } from 'lwc';\nexport default class BadTemplate extends LightningElement {\n    shown = true;\n}\n",
      [join(LWC, 'badTemplate', 'badTemplate.html')]: '<template>\n    <p if:true={shown} lwc:if={shown}>hello</p>\n</template>\n',
    },
    (dir) => compileLwcBundles(join(dir, LWC)),
  );
  const caught = seeded.errors.length === 1 && seeded.errors[0]!.bundle === 'badTemplate' && /lwc:if/.test(seeded.errors[0]!.message);
  return [clean, { name: `${name} rejects if:true with lwc:if on one element`, ok: caught, report: caught ? 'caught' : 'NOT caught' }];
}

const BAD_TYPES = [
  'public with sharing class BadTypes {',
  '    public static Integer count() {',
  "        Integer n = 'not a number';",
  '        UnknownType missing = null;',
  '        return n;',
  '    }',
  '}',
  '',
].join('\n');

async function apexLs(): Promise<Outcome[]> {
  const name = 'apex-ls CheckForIssues';
  const clean = await checkApex(PROJECT_ROOT);
  const seeded = await onBrokenCopy(
    { [join(CLASSES, 'BadTypes.cls')]: BAD_TYPES, [join(CLASSES, 'BadTypes.cls-meta.xml')]: apexClassMeta() },
    (dir) => checkApex(dir),
  );
  const text = seeded.issues.join('\n');
  const caught =
    seeded.exitCode !== 0 && /BadTypes/.test(text) && /Incompatible types in assignment/.test(text) && /UnknownType/.test(text);
  return [
    { name, ok: clean.exitCode === 0 && clean.issues.length === 0, report: clean.issues.join('\n  ') || 'no issues' },
    { name: `${name} finds an Apex type error`, ok: caught, report: caught ? 'caught' : `NOT caught:\n  ${text}` },
  ];
}

const INJECTABLE = [
  'public with sharing class InjectableSearch {',
  '    @AuraEnabled',
  '    public static List<Account> byName(String name) {',
  "        return Database.query('SELECT Id FROM Account WHERE Name = \\'' + name + '\\'');",
  '    }',
  '}',
  '',
].join('\n');

async function codeAnalyzer(): Promise<Outcome[]> {
  const name = 'Salesforce Code Analyzer, severity 1-2';
  const findings = await analyzeRecommended(join(PROJECT_ROOT, 'force-app'));
  const seeded = await onBrokenCopy(
    { [join(CLASSES, 'InjectableSearch.cls')]: INJECTABLE, [join(CLASSES, 'InjectableSearch.cls-meta.xml')]: apexClassMeta() },
    (dir) => analyzeRecommended(join(dir, 'force-app'), ['pmd']),
  );
  const caught = seeded.some((f) => f.severity <= 2 && f.rule === 'pmd:ApexSOQLInjection' && /InjectableSearch\.cls$/.test(f.file));
  return [
    { name, ok: !findings.some((f) => f.severity <= 2), report: formatFindings(findings) },
    { name: `${name} finds a SOQL injection`, ok: caught, report: caught ? 'caught' : 'NOT caught' },
  ];
}

const started = performance.now();
// Side by side: apex-ls and PMD are Java child processes, the LWC compiler and ESLint run in this process.
const settled = await Promise.allSettled([lwcCompiler(), apexLs(), codeAnalyzer()]);
const outcomes = settled.flatMap((s, i) =>
  s.status === 'fulfilled'
    ? s.value
    : [{ name: ['LWC platform compiler', 'apex-ls', 'Code Analyzer'][i]!, ok: false, report: String(s.reason) }],
);
for (const o of outcomes) console.log(`${o.ok ? 'ok  ' : 'FAIL'} ${o.name}: ${o.report}`);
console.log(`platform checks: ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (outcomes.some((o) => !o.ok)) process.exit(1);
