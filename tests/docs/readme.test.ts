import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pages = [
  'README.md',
  'force-app/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The relative targets of a page's Markdown links and images (`[text](path)`, `![alt](path)`), anchors dropped. */
const relativeLinks = (text: string) =>
  [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!.split('#')[0]!).filter((t) => t && !/^[a-z]+:/.test(t));

describe('the README, a one-page start', () => {
  it('fits on one page: at most 150 lines', () => {
    expect(read('README.md').trimEnd().split('\n').length).toBeLessThanOrEqual(150);
  });

  it('shows the card and states how long npm test takes', () => {
    const readme = read('README.md');
    expect(readme).toMatch(/!\[[^\]]+\]\(docs\/card\.png\)/);
    expect(readme).toMatch(/npm test\s+# about \d+ minutes/);
  });

  it('links every page of docs/', () => {
    const readme = read('README.md');
    for (const page of pages.filter((p) => p.startsWith('docs/'))) expect(readme, `README links ${page}`).toContain(`](${page})`);
  });

  it.each(pages)('%s links only to files that exist', (page) => {
    for (const target of relativeLinks(read(page))) expect(existsSync(join(ROOT, dirname(page), target)), `${page} → ${target}`).toBe(true);
  });
});
