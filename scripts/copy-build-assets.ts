/**
 * The second half of `npm run build`: copies the files the compiled service reads at run time (the configuration in
 * `config/`: stages, workflows, team roles, engagement rules; the SQL migrations, the demo org's seed and the package's object metadata (its custom fields, which the org emulator reads), the Pub/Sub API proto, and the local preview when it is built) into the build
 * output, at the same paths relative to the code that reads them, so `dist/` runs on its own. Run from the package
 * root: `node dist/scripts/copy-build-assets.js`.
 */
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The run-time files, as paths from the package root (a folder copies the files in it whose names match). Packages'
 * files are not among them: the API docs page reads Swagger UI's from the installed swagger-ui-dist (a dependency).
 */
const BUILD_ASSETS: { from: string; match: RegExp; optional?: true }[] = [
  { from: 'config', match: /\.json$/ },
  { from: 'service/src/db/migrations', match: /^\d{4}_[a-z0-9_]+\.sql$/ },
  { from: 'dev/demo-seed', match: /^demo-org\.json$/ },
  // The package's objects: the org emulator reads their custom fields (dev/demo-seed's PACKAGE_SOURCE).
  { from: 'force-app/main/default/objects', match: /^/ },
  // The Pub/Sub API's proto: served by the emulator, loaded by the service's change event subscriber.
  { from: 'dev/org-emulator/pubsub', match: /\.proto$/ },
  { from: 'preview/dist', match: /^/, optional: true },
];

/** Copies the assets from `root` into `out`; returns the copied paths. */
function copyBuildAssets(root: string, out: string): string[] {
  const copied: string[] = [];
  for (const { from, match, optional } of BUILD_ASSETS) {
    if (optional && !existsSync(join(root, from))) continue;
    for (const name of readdirSync(join(root, from)).filter((n) => match.test(n))) {
      cpSync(join(root, from, name), join(out, from, name), { recursive: true });
      copied.push(join(from, name));
    }
  }
  return copied;
}

// This file is compiled to <out>/scripts/copy-build-assets.js: the build output is the folder above it.
if (!import.meta.url.endsWith('.js')) throw new Error('run the compiled copy: node dist/scripts/copy-build-assets.js');
const out = fileURLToPath(new URL('..', import.meta.url));
const copied = copyBuildAssets(process.cwd(), out);
console.log(`Copied ${copied.length} run-time files into ${out}`);
