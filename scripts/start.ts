/**
 * `npm start`: runs the service. With no DATABASE_URL it starts its own PostgreSQL server under DATA_DIR; with no
 * Salesforce credentials it starts the local Salesforce org emulator (not Salesforce) seeded with demo data; with no
 * SERVICE_API_KEY in that embedded mode it generates one, keeps it in DATA_DIR and prints it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEY_FILE } from '../service/src/api-key.ts';
import { loadConfigOrExit } from '../service/src/config.ts';
import { createLogger } from '../service/src/log.ts';
import { PREVIEW_DIR } from '../service/src/routes/preview.ts';
import { startService } from '../service/src/server.ts';
import { isPreviewUpToDate } from './build-preview.ts';

const config = loadConfigOrExit();
const log = createLogger(config.env.LOG_LEVEL);
// The local preview page (the LWC in a browser). `npm install` builds it; when it is missing or out of date (a
// production install, an edited component) it is built in a process of its own while the service starts and serves:
// the compiler takes ~20 s of CPU, which the service need not wait for. Compiled (`npm run start:prod`, the container)
// there is no component compiler at hand: the preview is the one `npm run build` copied, if any.
const compiled = import.meta.url.endsWith('.js');
const previewBuild = compiled || isPreviewUpToDate() ? undefined : buildPreviewInBackground();
const previewServed = !compiled || existsSync(join(PREVIEW_DIR, 'index.html'));
const service = await startService(config, log).catch((err: Error) => {
  console.error(`Renewal Action Plans could not start: ${err.message}`);
  process.exit(1);
});

const lines = [
  '',
  `Renewal Action Plans is listening on ${service.url}`,
  `  API docs: ${service.url}/docs (OpenAPI: ${service.url}/openapi.json)   health: ${service.url}/healthz, ${service.url}/readyz`,
  `  database: ${database(service.deps.db)}`,
];
if (service.generatedApiKey) {
  lines.push(
    `  SERVICE_API_KEY: generated on the first start, kept in ${join(config.env.DATA_DIR, API_KEY_FILE)} (set SERVICE_API_KEY to choose one)`,
  );
}
if (service.emulator) {
  lines.push(`  Salesforce: local org emulator (NOT Salesforce) at ${service.emulator.url}`);
  lines.push('  Demo opportunities you can plan for:');
  for (const o of service.emulator.opportunities) lines.push(`    ${o.id}  ${o.name}`);
  const first = service.emulator.opportunities[0];
  const csm = '0055e0000000001AAA'; // Jordan Lee, the demo CSM who owns the demo opportunities
  if (first && service.generatedApiKey && previewServed) {
    const link = `${service.url}/preview/#key=${service.deps.apiKey}&user=${csm}&opportunity=${first.id}`;
    const portfolio = `${service.url}/preview/portfolio#key=${service.deps.apiKey}&user=${csm}`;
    if (!previewBuild) {
      lines.push(`  Local preview of the component: ${link}`);
      lines.push(`  Local preview of the renewal portfolio: ${portfolio}`);
    } else {
      lines.push('  Local preview of the component: being built in the background; its link follows when it is ready');
      void previewBuild.then(
        (built) => built && console.log(`Local preview of the component is ready: ${link}\nand of the renewal portfolio: ${portfolio}\n`),
      );
    }
  }
  if (first) {
    const key = service.generatedApiKey ? service.deps.apiKey : '"$SERVICE_API_KEY"';
    lines.push('  Try it (the walk-through in docs/api.md): paste these lines into a shell');
    lines.push(`    export URL=${service.url} KEY=${key} USER_ID=${csm} OPP=${first.id}`);
    // Each call needs a fresh signed user assertion, as Apex sends one with every callout: `npm run assertion` signs
    // it with the demo key in DATA_DIR.
    lines.push(
      `    curl -s -X POST $URL/api/workflows/executions -H "Authorization: Bearer $KEY" -H "X-Salesforce-Assertion: $(npm run -s assertion -- --user $USER_ID)" -H 'content-type: application/json' -d "{\\"opportunityId\\":\\"$OPP\\"}"`,
    );
  }
} else {
  lines.push(`  Salesforce: ${config.salesforce.mode === 'jwt' ? 'JWT bearer flow' : 'access token'}`);
}
{
  // The sync mode: change events when they stream, the poll meanwhile (/readyz shows which runs now).
  const env = config.env;
  lines.push(
    env.SF_PUBSUB === 'off'
      ? `  Salesforce sync: poll every ${env.SF_SYNC_INTERVAL_SECONDS} s (SF_PUBSUB=off)`
      : `  Salesforce sync: Change Data Capture through the Pub/Sub API${service.emulator ? " (the emulator's)" : ` at ${env.SF_PUBSUB_ENDPOINT}`}; ` +
          `poll every ${env.SF_SYNC_INTERVAL_SECONDS} s until it streams, then every ${env.SF_SYNC_CATCHUP_MINUTES} min as a catch-up; mode now: ${service.deps.syncStatus?.mode ?? 'poll'} (see /readyz)`,
  );
}
// performance.now() counts from the process start: the database, the emulator and the rest included (not a preview
// build, which runs beside the service).
const features = service.deps.salesforce.features;
const off = Object.entries(features)
  .filter(([, on]) => !on)
  .map(([name]) => name);
lines.push(`  Org features: ${off.length ? `off — ${off.join(', ')} (the service degrades; see docs/org-shapes.md)` : 'all on'}`);
lines.push(`  started in ${(performance.now() / 1000).toFixed(1)} s`);
console.log(lines.join('\n') + '\n');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal });
  await service.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGHUP', () => void stop('SIGHUP'));

/** Runs `npm run build:preview` as a child process; resolves whether it succeeded. */
function buildPreviewInBackground(): Promise<boolean> {
  const script = fileURLToPath(new URL('./build-preview.ts', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script], (err, _stdout, stderr) => {
      if (err) log.warn('local preview not built; the API works without it', { error: (stderr || err.message).trim() });
      resolve(!err);
    });
  });
}

function database(db: typeof service.deps.db): string {
  if (!db.embedded) return 'PostgreSQL (DATABASE_URL)';
  const where = relative(process.cwd(), db.embedded.pgdata) || db.embedded.pgdata;
  return `embedded PostgreSQL server in ${where.startsWith('..') ? db.embedded.pgdata : where}, on 127.0.0.1:${db.embedded.port} (stops with the service)`;
}
