// Apex semantics offline: apex-ls's CheckForIssues (the jars ship in @salesforce/code-analyzer-pmd-engine's
// dist/java-lib; Java 17 runs them). It reports unknown types, methods and variables and incompatible assignments,
// which the Apex parser alone cannot see. It does not check SOQL field names.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The folder of apex-ls and its dependencies inside the PMD engine package. */
function apexLsClasspath(): string {
  const pmdEngine = dirname(require.resolve('@salesforce/code-analyzer-pmd-engine/package.json'));
  return join(pmdEngine, 'dist', 'java-lib', '*');
}

interface ApexCheck {
  /** 0 when clean; apex-ls exits 4 when it reports issues. */
  exitCode: number;
  /** One line per issue, e.g. `Missing: line 4 at 19-30: No variable or type found for 'UnknownType'`. */
  issues: string[];
}

/** Runs CheckForIssues over an SFDX project folder (the one holding sfdx-project.json). */
export function checkApex(projectDir: string): ApexCheck {
  const run = spawnSync('java', ['-cp', apexLsClasspath(), 'io.github.apexdevtools.apexls.CheckForIssues', '-w', projectDir, '-n'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.error) throw new Error(`apex-ls could not start (is a Java 17+ runtime installed?): ${run.error.message}`);
  const issues = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return { exitCode: run.status ?? -1, issues };
}
