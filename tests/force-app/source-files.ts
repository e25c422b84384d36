import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The Salesforce DX source root every force-app check reads. */
export const FORCE_APP = join(import.meta.dirname, '..', '..', 'force-app');

/** Every file under force-app whose name ends with `suffix`, as absolute paths, in a stable order. */
export function sourceFiles(suffix: string, dir = FORCE_APP): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix) && !name.split(/[\\/]/).includes('node_modules'))
    .map((name) => join(dir, name))
    .sort();
}

/** A path relative to force-app, for readable test names. */
export const shortPath = (file: string) => relative(FORCE_APP, file);
