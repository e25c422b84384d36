// Salesforce Code Analyzer, run from a script: the core library with its PMD engine (Apex) and ESLint engine (LWC)
// (the `sf code-analyzer` plugin's installer needs a host that is not reachable here). The Recommended rules include
// Salesforce's security rules for Apex (ApexSOQLInjection, ApexCRUDViolation, ApexSharingViolations...) and the LWC
// platform rules (@lwc/lwc-platform/...).

import { CodeAnalyzer, CodeAnalyzerConfig, type Violation } from '@salesforce/code-analyzer-core';
import * as eslintEngine from '@salesforce/code-analyzer-eslint-engine';
import * as pmdEngine from '@salesforce/code-analyzer-pmd-engine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

interface AnalyzerFinding {
  severity: number;
  rule: string;
  file: string;
  line: number | undefined;
  message: string;
}

const PLUGINS = { pmd: pmdEngine, eslint: eslintEngine };

/** Runs the Recommended rules of the given engines over a folder and returns every violation, most severe first. */
export async function analyzeRecommended(dir: string, engines: (keyof typeof PLUGINS)[] = ['pmd', 'eslint']): Promise<AnalyzerFinding[]> {
  // Its working files go to a folder of our own, removed afterwards (it would leave empty ones in the temp folder).
  const working = mkdtempSync(join(tmpdir(), 'rap-code-analyzer-'));
  try {
    const analyzer = new CodeAnalyzer(CodeAnalyzerConfig.fromObject({ log_folder: working, root_working_folder: working }));
    for (const engine of engines) await analyzer.addEnginePlugin(PLUGINS[engine].createEnginePlugin());
    const workspace = await analyzer.createWorkspace([dir]);
    const rules = await analyzer.selectRules(
      engines.map((e) => `${e}:Recommended`),
      { workspace },
    );
    return findingsOf((await analyzer.run(rules, { workspace })).getViolations(), dir);
  } finally {
    rmSync(working, { recursive: true, force: true });
  }
}

function findingsOf(violations: Violation[], dir: string): AnalyzerFinding[] {
  return violations
    .map((v) => ({
      severity: v.getRule().getSeverityLevel() as number,
      rule: `${v.getRule().getEngineName()}:${v.getRule().getName()}`,
      file: relative(dir, v.getPrimaryLocation().getFile() ?? ''),
      line: v.getPrimaryLocation().getStartLine(),
      message: v.getMessage().trim(),
    }))
    .sort((a, b) => a.severity - b.severity || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}

/** The report printed by the test: one line per violation. */
export function formatFindings(findings: AnalyzerFinding[]): string {
  if (findings.length === 0) return 'Salesforce Code Analyzer (Recommended): no violations';
  const lines = findings.map((f) => `  sev ${f.severity}  ${f.rule}  ${f.file}:${f.line ?? '?'}  ${f.message}`);
  return [`Salesforce Code Analyzer (Recommended): ${findings.length} violation(s)`, ...lines].join('\n');
}
