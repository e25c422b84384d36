import type { KeyObject } from 'node:crypto';
import { Hono } from 'hono';
import { freshClaims, signUserAssertion } from '../assertion/sign.ts';
import type { UserIdentity } from '../auth.ts';
import { toId18 } from '../salesforce/ids.ts';

/** The prefix the local preview's stand-in for Apex calls instead of /api. */
export const PREVIEW_APEX_PREFIX = '/preview-apex';

/**
 * The embedded mode's stand-in for the package's Apex, on the server side: the preview page calls
 * `/preview-apex/api/...` with the service key and its user (as the Named Credential and the running user would be
 * known to Apex); this adds a freshly signed user assertion for that user, with the demo key that never leaves the
 * server, and hands the request to the same app at `/api/...`. Mounted only in the embedded mode. The key check, the
 * assertion's verification and everything after are the app's, unchanged.
 */
export function previewApexRouter(opts: {
  /** The demo key; absent with SERVICE_TRUST_HEADER_ONLY=true, when requests are forwarded unsigned. */
  privateKey?: KeyObject;
  identity: UserIdentity;
  now: () => Date;
  forward: (request: Request) => Response | Promise<Response>;
}) {
  const app = new Hono();
  app.all('/api/*', async (c) => {
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice(PREVIEW_APEX_PREFIX.length);
    const headers = new Headers(c.req.raw.headers);
    headers.delete('x-salesforce-assertion'); // the browser's word is not the signer's
    const user = toId18(headers.get('x-salesforce-user-id') ?? '');
    if (user && opts.privateKey && opts.identity.mode === 'assertion') {
      const { orgId, audience } = opts.identity.trust;
      headers.set(
        'x-salesforce-assertion',
        await signUserAssertion(opts.privateKey, freshClaims({ orgId, user, audience, now: opts.now() })),
      );
    }
    const body = ['GET', 'HEAD'].includes(c.req.method) ? undefined : await c.req.raw.arrayBuffer();
    return opts.forward(new Request(url, { method: c.req.method, headers, body }));
  });
  return app;
}
