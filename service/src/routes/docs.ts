import { Hono } from 'hono';

/**
 * A self-contained API reference page (no CDN: this machine and many customer networks have none). It reads
 * /openapi.json in the browser and lists every operation with its parameters, body schema, responses and a curl line.
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Renewal Action Plans — API</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#181818}
h1{font-size:1.4rem}.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700}.get{color:#0b6b3a}.post{color:#0b5cab}.patch{color:#8a5a00}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}code{font-size:13px}
</style></head><body>
<h1>Renewal Action Plans — API</h1>
<p>Every <code>/api</code> call needs <code>Authorization: Bearer &lt;SERVICE_API_KEY&gt;</code> and
<code>X-Salesforce-Assertion</code>: the signed user assertion (RS256) the package's Apex builds for the running user,
used once (in the embedded mode, <code>npm run assertion -- --user 005…</code> prints one). Machine-readable:
<a href="/openapi.json">/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  const out = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters || []).map((p) => '<li><code>' + esc(p.in + ' ' + p.name) + '</code>' + (p.required ? ' (required)' : '') + '</li>').join('');
      const body = op.requestBody && op.requestBody.content['application/json'];
      const responses = Object.entries(op.responses || {}).map(([code, r]) => '<li><code>' + code + '</code> ' + esc(r.description) + '</li>').join('');
      const curl = 'curl -X ' + method.toUpperCase() + ' "$URL' + path.replace(/{(\\w+)}/g, '<$1>') + '" -H "Authorization: Bearer $KEY" -H "X-Salesforce-Assertion: $(npm run -s assertion -- --user $USER_ID)"' + (body ? " -H 'content-type: application/json' -d '{...}'" : '');
      out.push('<div class="op"><div><span class="m ' + method + '">' + method.toUpperCase() + '</span><code>' + esc(path) + '</code></div>' +
        '<p>' + esc(op.summary || '') + '</p>' + (params ? '<b>Parameters</b><ul>' + params + '</ul>' : '') +
        (body ? '<details><summary><b>Body</b></summary><pre>' + esc(JSON.stringify(body.schema, null, 2)) + '</pre></details>' : '') +
        '<b>Responses</b><ul>' + responses + '</ul><pre>' + esc(curl) + '</pre></div>');
    }
  }
  document.getElementById('ops').innerHTML = out.join('');
});
</script></body></html>`;

export function docsRouter() {
  return new Hono().get('/', (c) => c.html(PAGE));
}
