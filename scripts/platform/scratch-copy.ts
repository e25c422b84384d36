// A throwaway copy of the SFDX project (sfdx-project.json and force-app), so a test can seed a bad file into it.

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

interface ScratchProject {
  dir: string;
  /** Writes a file at a path relative to the copy's root. */
  write(path: string, content: string): void;
  remove(): void;
}

/** Copies sfdx-project.json and force-app (without tests) into a new temporary folder. */
export function scratchProject(): ScratchProject {
  const dir = mkdtempSync(join(tmpdir(), 'rap-platform-'));
  cpSync(join(PROJECT_ROOT, 'sfdx-project.json'), join(dir, 'sfdx-project.json'));
  cpSync(join(PROJECT_ROOT, 'force-app'), join(dir, 'force-app'), {
    recursive: true,
    filter: (src) => !src.includes('__tests__'),
  });
  return {
    dir,
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The `-meta.xml` that every Apex class needs. */
export const apexClassMeta = (apiVersion = '65.0') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>${apiVersion}</apiVersion>\n    <status>Active</status>\n</ApexClass>\n`;
