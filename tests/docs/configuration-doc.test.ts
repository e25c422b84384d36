import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_DOC, configurationDoc, documentedVariables, exampleDescriptions, schemaFields } from '../../scripts/config-docs.ts';

describe('docs/configuration.md', () => {
  it('is what npm run docs:config writes from the schema today (rerun it after adding a variable)', async () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(await configurationDoc());
  });

  it('describes every variable the schema reads, with its default', () => {
    const variables = documentedVariables();
    expect(variables.map((v) => v.name).sort()).toEqual(Object.keys(schemaFields()).sort());
    for (const v of variables) expect(v.description, `${v.name} has no description in config/.env.example`).not.toBe('');
    const page = readFileSync(CONFIGURATION_DOC, 'utf8');
    for (const v of variables) expect(page).toContain(`\`${v.name}\``);
    expect(variables.find((v) => v.name === 'PORT')!.defaultValue).toBe('`3000`');
    expect(variables.find((v) => v.name === 'EXECUTOR_ENABLED')!.allowed).toBe('`true`, `false`');
  });

  it('reads a comment as the description of the run of variables under it, and indented lines as its list', () => {
    const prose = exampleDescriptions(
      [
        '# --- HTTP ---',
        '# Where it listens.',
        'PORT=3000',
        'HOST=127.0.0.1',
        '# Kinds:',
        '#   a   the first',
        '#   b   the second',
        '# none sends none.',
        'KINDS=a,b',
        'UNDESCRIBED=',
        '',
        'ALONE=',
      ].join('\n'),
    );
    expect(Object.fromEntries(prose)).toEqual({
      PORT: { section: 'HTTP', description: 'Where it listens.' },
      HOST: { section: 'HTTP', description: 'Where it listens.' },
      KINDS: { section: 'HTTP', description: 'Kinds: none sends none.\na: the first\nb: the second' },
      UNDESCRIBED: { section: 'HTTP', description: 'Kinds: none sends none.\na: the first\nb: the second' },
      ALONE: { section: 'HTTP', description: '' },
    });
  });
});
