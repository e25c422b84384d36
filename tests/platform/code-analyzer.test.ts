import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeRecommended, formatFindings, type AnalyzerFinding } from './code-analyzer.ts';
import { apexClassMeta, PROJECT_ROOT, scratchProject, type ScratchProject } from './scratch-copy.ts';

const CLASSES = join('force-app', 'main', 'default', 'classes');
const severe = (findings: AnalyzerFinding[]) => findings.filter((f) => f.severity <= 2);

describe('Salesforce Code Analyzer (PMD and ESLint engines, Recommended rules)', () => {
  let scratch: ScratchProject | undefined;
  afterEach(() => scratch?.remove());

  it('reports no violation of severity 1 (critical) or 2 (high) in force-app, and prints its report', async () => {
    const findings = await analyzeRecommended(join(PROJECT_ROOT, 'force-app'));
    console.log(formatFindings(findings));
    expect(severe(findings)).toEqual([]);
  });

  it('fails on a SOQL injection pattern', async () => {
    scratch = scratchProject();
    scratch.write(
      join(CLASSES, 'InjectableSearch.cls'),
      [
        'public with sharing class InjectableSearch {',
        '    @AuraEnabled',
        '    public static List<Account> byName(String name) {',
        "        return Database.query('SELECT Id FROM Account WHERE Name = \\'' + name + '\\'');",
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    scratch.write(join(CLASSES, 'InjectableSearch.cls-meta.xml'), apexClassMeta());
    const findings = severe(await analyzeRecommended(join(scratch.dir, 'force-app'), ['pmd']));
    expect(findings.map((f) => f.rule)).toContain('pmd:ApexSOQLInjection');
    expect(findings.find((f) => f.rule === 'pmd:ApexSOQLInjection')!.file).toMatch(/InjectableSearch\.cls$/);
  });
});
