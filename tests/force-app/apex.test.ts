import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apexSyntaxErrors } from './apex-syntax.ts';
import { shortPath, sourceFiles } from './source-files.ts';

const classes = sourceFiles('.cls');

describe('Apex sources', () => {
  it('has the controller and its test class', () => {
    expect(classes.map(shortPath)).toEqual([
      'main/default/classes/RenewalActionPlanController.cls',
      'main/default/classes/RenewalActionPlanController_Tests.cls',
    ]);
  });

  it.each(classes.map((file) => [shortPath(file), file]))('%s parses without syntax errors', (_name, file) => {
    expect(apexSyntaxErrors(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it.each(classes.map((file) => [shortPath(file), file]))('%s has its -meta.xml', (_name, file) => {
    expect(existsSync(`${file}-meta.xml`)).toBe(true);
  });

  it('reports the line of a syntax error in a broken class', () => {
    const broken = ['public with sharing class Broken {', '    public static void run() {', '        Integer x = ;', '    }', '}'].join('\n');
    const errors = apexSyntaxErrors(broken);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^3:/);
  });

  it('reports a class that is never closed', () => {
    expect(apexSyntaxErrors('public class Open { void run() { }')).not.toEqual([]);
  });
});
