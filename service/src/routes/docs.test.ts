import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { docsRouter } from './docs.ts';

const app = new Hono().route('/docs', docsRouter());
const packageDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** An absolute URL or a protocol-relative one: anything that would reach another host. */
const ELSEWHERE = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i;

describe('API docs page', () => {
  it('is Swagger UI whose every script, stylesheet, icon and link is a path on this service', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs).toEqual([
      '/docs/assets/swagger-ui.css',
      '/docs/assets/favicon-32x32.png',
      '/openapi.json',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/init.js',
    ]);
    expect(refs.filter((r) => ELSEWHERE.test(r) || !r.startsWith('/'))).toEqual([]);
    // The browser enforces it too: no source but this service (and data: images).
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp.split(/[\s;]+/).filter((s) => /[./]/.test(s))).toEqual([]);
  });

  it('serves the assets from the swagger-ui-dist package, byte for byte, with their types', async () => {
    for (const [name, type] of [
      ['swagger-ui.css', 'text/css'],
      ['swagger-ui-bundle.js', 'text/javascript'],
      ['favicon-32x32.png', 'image/png'],
    ] as const) {
      const res = await app.request(`/docs/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(packageDir, name)))).toBe(true);
    }
    // The stylesheet pulls nothing from elsewhere: no @import, and every url() is a data: URL.
    const css = readFileSync(join(packageDir, 'swagger-ui.css'), 'utf8');
    expect(css).not.toMatch(/@import/);
    expect([...css.matchAll(/url\(\s*["']?([^"')]+)/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'))).toEqual([]);
  });

  it('points Swagger UI at this service’s OpenAPI document, with the external validator badge off', async () => {
    const res = await app.request('/docs/init.js');
    expect(res.headers.get('content-type')).toContain('text/javascript');
    const init = await res.text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('serves no other file of the package (nor anything outside it)', async () => {
    for (const name of ['index.html', 'package.json', 'swagger-ui-bundle.js.map', '..%2Fpackage.json', '%2E%2E%2F%2E%2E%2Fpackage.json'])
      expect((await app.request(`/docs/assets/${name}`)).status, name).toBe(404);
  });
});
