import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** Where `npm run build:preview` writes the component compiled with LWC OSS (not committed). */
export const PREVIEW_DIR = fileURLToPath(new URL('../../../preview/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A path segment decoded, or undefined for malformed percent-encoding (`%`, `%zz`): that is an unknown path, not an error. */
function safeDecode(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/**
 * The local preview page: the same renewalActionPlan component running in a real browser against this service.
 * Static files only; the page calls the API through the embedded mode's stand-in for Apex (/preview-apex, which signs
 * the user assertion on the server: routes/preview-apex.ts) with the key it reads from the URL fragment (which
 * browsers never send to the server). Unknown paths fall back to index.html.
 */
export function previewRouter(dir = PREVIEW_DIR) {
  const app = new Hono();
  app.get('/*', async (c) => {
    const rel = safeDecode(c.req.path.replace(/^\/preview\/?/, ''));
    const file = rel === undefined ? '' : normalize(join(dir, rel));
    const inside = file !== '' && file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
    const type = TYPES[extname(file)];
    if (inside && type) {
      const body = await readFile(file).catch(() => undefined);
      if (body) return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
    }
    const index = await readFile(join(dir, 'index.html')).catch(() => undefined);
    if (!index) return c.text('The preview is not built: run `npm run build:preview` (npm start does it).', 404);
    return c.body(index, 200, { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-cache' });
  });
  return app;
}
