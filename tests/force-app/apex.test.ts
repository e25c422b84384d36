import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apexSyntaxErrors } from './apex-syntax.ts';
import { shortPath, sourceFiles } from './source-files.ts';

const classes = sourceFiles('.cls');

describe('Apex sources', () => {
  it('has the controller, and a test class <Class>_Tests for every class', () => {
    const names = classes.map((file) => basename(file, '.cls'));
    expect(names).toContain('RenewalActionPlanController');
    for (const name of names.filter((n) => !n.endsWith('_Tests'))) expect(names, `${name} has no test class`).toContain(`${name}_Tests`);
  });

  it.each(classes.map((file) => [shortPath(file), file]))('%s parses without syntax errors', (_name, file) => {
    expect(apexSyntaxErrors(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it.each(classes.map((file) => [shortPath(file), file]))('%s has its -meta.xml', (_name, file) => {
    expect(existsSync(`${file}-meta.xml`)).toBe(true);
  });

  it('reports the line of a syntax error in a broken class', () => {
    const broken = ['public with sharing class Broken {', '    public static void run() {', '        Integer x = ;', '    }', '}'].join(
      '\n',
    );
    const errors = apexSyntaxErrors(broken);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^3:/);
  });

  it('reports a class that is never closed', () => {
    expect(apexSyntaxErrors('public class Open { void run() { }')).not.toEqual([]);
  });
});
