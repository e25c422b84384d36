// The LWC platform compiler (`@lwc/sfdc-lwc-compiler`): the compiler and linter Salesforce runs when a bundle is
// deployed. Compiling offline with `type: 'platform'` and namespace `c` reports what a deploy would reject.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compile } from '@lwc/sfdc-lwc-compiler';

interface LwcDiagnostic {
  bundle: string;
  file: string;
  /** 0 fatal, 1 error, 2 warning, 3 log (`@lwc/errors`' DiagnosticLevel). */
  level: number;
  message: string;
  line?: number;
}

const SOURCE = /\.(js|html|css|svg)$/;

/** Every file of one bundle folder that the platform compiles (tests and metadata excluded), keyed by relative path. */
function bundleFiles(dir: string): Record<string, string> {
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (name) => SOURCE.test(name) && !name.split(/[\\/]/).includes('__tests__'),
  );
  return Object.fromEntries(names.map((name) => [name.replace(/\\/g, '/'), readFileSync(join(dir, name), 'utf8')]));
}

/** Compiles every bundle under an `lwc` folder as the platform does; returns diagnostics of level error or worse. */
export async function compileLwcBundles(lwcDir: string): Promise<{ bundles: number; errors: LwcDiagnostic[] }> {
  const bundles = readdirSync(lwcDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const errors: LwcDiagnostic[] = [];
  for (const name of bundles) {
    const files = bundleFiles(join(lwcDir, name));
    const result = await compile({ bundle: { namespace: 'c', name, type: 'platform', files } });
    for (const d of result.diagnostics ?? []) {
      if (d.level > 1) continue;
      errors.push({
        bundle: name,
        file: relative(lwcDir, join(lwcDir, name, d.filename ?? '')),
        level: d.level,
        message: d.message,
        line: d.location?.line,
      });
    }
    if (!result.success && !errors.some((e) => e.bundle === name)) {
      errors.push({ bundle: name, file: name, level: 0, message: 'compilation failed without a diagnostic' });
    }
  }
  return { bundles: bundles.length, errors };
}
