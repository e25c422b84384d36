import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkApex } from './apex-ls.ts';
import { apexClassMeta, PROJECT_ROOT, scratchProject, type ScratchProject } from './scratch-copy.ts';

const CLASSES = join('force-app', 'main', 'default', 'classes');

describe('Apex semantics (apex-ls CheckForIssues)', () => {
  let scratch: ScratchProject | undefined;
  afterEach(() => scratch?.remove());

  it('finds no issues in force-app', () => {
    expect(checkApex(PROJECT_ROOT)).toEqual({ exitCode: 0, issues: [] });
  });

  it('fails on an Apex type error', () => {
    scratch = scratchProject();
    scratch.write(
      join(CLASSES, 'BadTypes.cls'),
      [
        'public with sharing class BadTypes {',
        '    public static Integer count() {',
        "        Integer n = 'not a number';",
        '        UnknownType missing = null;',
        '        return n;',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    scratch.write(join(CLASSES, 'BadTypes.cls-meta.xml'), apexClassMeta());
    const result = checkApex(scratch.dir);
    expect(result.exitCode).not.toBe(0);
    expect(result.issues.join('\n')).toMatch(/BadTypes/);
    expect(result.issues.join('\n')).toMatch(/Incompatible types in assignment/);
    expect(result.issues.join('\n')).toMatch(/UnknownType/);
  });
});
