import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};

/**
 * `engines.node` states the Node versions that install without EBADENGINE (issue 28): the oldest version of each range
 * it admits is accepted by every locked package's own `engines.node` (npm warns on exactly this check at install).
 */
describe('engines', () => {
  const oldest = pkg.engines.node.split('||').map((range) => semver.minVersion(range.trim())!.version);

  it('admits Node 20, which the machines run', () => {
    expect(semver.satisfies('20.19.0', pkg.engines.node)).toBe(true);
  });

  it.each(oldest)('every locked package accepts Node %s', (version) => {
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(version, (p.engines as { node: string }).node))
      .map(([path, p]) => `${path.replace(/.*node_modules\//, '')} wants ${(p.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });
});
