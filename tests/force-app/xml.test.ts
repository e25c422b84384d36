import { readFileSync } from 'node:fs';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { shortPath, sourceFiles } from './source-files.ts';

const metaFiles = sourceFiles('-meta.xml');

/** true when well-formed, else the parser's error; the metadata converter does not check this itself. */
const wellFormed = (xml: string) => XMLValidator.validate(xml, { allowBooleanAttributes: true });

describe('metadata XML', () => {
  it('finds the metadata files to check', () => {
    expect(metaFiles.length).toBeGreaterThanOrEqual(15);
  });

  it.each(metaFiles.map((file) => [shortPath(file), file]))('%s is well-formed', (_name, file) => {
    expect(wellFormed(readFileSync(file, 'utf8'))).toBe(true);
  });

  it('catches an unclosed tag', () => {
    const broken =
      '<?xml version="1.0"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n    <label>Renewal Date\n</CustomField>\n';
    const result = wellFormed(broken);
    expect(result).not.toBe(true);
    expect(result).toMatchObject({ err: { code: 'InvalidTag' } });
  });

  it('catches a stray ampersand in a formula', () => {
    const broken = '<ExternalCredential><parameterValue>{!"Bearer " & $Credential.X.ApiKey}</parameterValue></ExternalCredential>';
    expect(wellFormed(broken)).not.toBe(true);
  });
});
