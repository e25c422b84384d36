// Apex semantics offline: apex-ls's CheckForIssues (the jars ship in @salesforce/code-analyzer-pmd-engine's
// dist/java-lib; Java 17 runs them). It reports unknown types, methods and variables and incompatible assignments,
// which the Apex parser alone cannot see. It does not check SOQL field names.

import { execFile } from 'node:child_process';
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

/** Runs CheckForIssues over an SFDX project folder (the one holding sfdx-project.json), in a child process. */
export function checkApex(projectDir: string): Promise<ApexCheck> {
  const args = ['-cp', apexLsClasspath(), 'io.github.apexdevtools.apexls.CheckForIssues', '-w', projectDir, '-n'];
  return new Promise((resolve, reject) => {
    execFile('java', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err && typeof err.code === 'number' ? err.code : err ? undefined : 0;
      if (code === undefined) return reject(new Error(`apex-ls could not start (is a Java 17+ runtime installed?): ${err!.message}`));
      const issues = `${stdout}\n${stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      resolve({ exitCode: code, issues });
    });
  });
}
