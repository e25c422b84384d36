import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Serves `distDir` at /preview/ and forwards everything else (the /api calls of the preview's Apex modules) to the
 * service, so the page and the API share one origin, as they do when the service serves the preview itself.
 */
export async function startPreviewFront(distDir: string, serviceUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const service = new URL(serviceUrl);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.pathname.startsWith('/preview/')) {
      const relative = normalize(decodeURIComponent(url.pathname.slice('/preview/'.length))).replace(/^(\.\.[/\\])+/, '');
      let file = join(distDir, relative);
      if (!existsSync(file) || statSync(file).isDirectory()) file = join(distDir, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
      return;
    }
    const upstream = request(
      {
        hostname: service.hostname,
        port: service.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: service.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => res.writeHead(502).end(err.message));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
