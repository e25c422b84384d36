import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

/** swagger-ui-dist's folder: the npm package ships Swagger UI built (JS, CSS, icon), so nothing comes from a CDN. */
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The package's files the page loads, by the name it is served under (/docs/assets/<name>). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/**
 * Everything from this service: the page, its script and the OpenAPI document. Swagger UI sets styles inline and draws
 * icons as data: URLs; no request may leave for another host (the product runs offline, and the validator badge is off).
 */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Renewal Action Plans — API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><link rel="icon" href="/docs/assets/favicon-32x32.png">
<style>.intro{font:14px/1.5 system-ui,sans-serif;max-width:1460px;margin:1rem auto 0;padding:0 20px}</style>
</head><body>
<p class="intro">Every <code>/api</code> call needs <code>Authorization: Bearer &lt;SERVICE_API_KEY&gt;</code> and
<code>X-Salesforce-Assertion</code>: the signed user assertion (RS256) the package's Apex builds for the running user,
used once (in the embedded mode, <code>npm run assertion -- --user 005…</code> prints one). Machine-readable:
<a href="/openapi.json">/openapi.json</a>.</p>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;

/** Swagger UI on this service's OpenAPI document; a file of its own, so the page runs under a CSP without inline scripts. */
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;

/** The API reference page (Swagger UI, swagger-ui-dist), its script and the package's assets. */
export function docsRouter() {
  return new Hono()
    .get('/', (c) => c.html(PAGE, 200, { 'Content-Security-Policy': CSP }))
    .get('/init.js', (c) => c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))
    .get('/assets/:name', async (c) => {
      const name = c.req.param('name');
      const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      const body = type && (await readFile(join(SWAGGER_UI_DIR, name)));
      if (!body) return c.notFound();
      return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
    });
}
