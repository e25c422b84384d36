/**
 * `npm start`: runs the service. With no DATABASE_URL it uses embedded PGlite under DATA_DIR; with no Salesforce
 * credentials it starts the local Salesforce org emulator (not Salesforce) seeded with demo data; with no
 * SERVICE_API_KEY in that embedded mode it generates one, keeps it in DATA_DIR and prints it.
 */
import { join } from 'node:path';
import { API_KEY_FILE } from '../service/src/api-key.ts';
import { loadConfigOrExit } from '../service/src/config.ts';
import { createLogger } from '../service/src/log.ts';
import { startService } from '../service/src/server.ts';

const config = loadConfigOrExit();
const log = createLogger(config.env.LOG_LEVEL);
// The local preview page (the LWC in a browser); the build skips itself when it is up to date.
const preview = await import('./build-preview.ts')
  .then((m) => m.ensurePreviewBuilt((line) => console.log(line)))
  .then(() => true, (err: Error) => {
    log.warn('local preview not built; the API works without it', { error: err.message });
    return false;
  });
const service = await startService(config, log).catch((err: Error) => {
  console.error(`Renewal Action Plans could not start: ${err.message}`);
  process.exit(1);
});

const lines = [
  '',
  `Renewal Action Plans is listening on ${service.url}`,
  `  API docs: ${service.url}/docs (OpenAPI: ${service.url}/openapi.json)   health: ${service.url}/healthz, ${service.url}/readyz`,
  `  database: ${service.deps.db.kind === 'embedded' ? `embedded PGlite in ${config.env.DATA_DIR}/pglite` : 'PostgreSQL (DATABASE_URL)'}`,
];
if (service.generatedApiKey) {
  lines.push(`  SERVICE_API_KEY: generated on the first start, kept in ${join(config.env.DATA_DIR, API_KEY_FILE)} (set SERVICE_API_KEY to choose one)`);
}
if (service.emulator) {
  lines.push(`  Salesforce: local org emulator (NOT Salesforce) at ${service.emulator.url}`);
  lines.push('  Demo opportunities you can plan for:');
  for (const o of service.emulator.opportunities) lines.push(`    ${o.id}  ${o.name}`);
  const first = service.emulator.opportunities[0];
  const csm = '0055e0000000001AAA'; // Jordan Lee, the demo CSM who owns the demo opportunities
  if (first && preview && service.generatedApiKey) {
    lines.push(`  Local preview of the component: ${service.url}/preview/#key=${service.deps.apiKey}&user=${csm}&opportunity=${first.id}`);
  }
  if (first) {
    const key = service.generatedApiKey ? service.deps.apiKey : '"$SERVICE_API_KEY"';
    lines.push('  Try it (the README walk-through): paste these lines into a shell');
    lines.push(`    export URL=${service.url} KEY=${key} USER_ID=${csm} OPP=${first.id}`);
    lines.push(`    curl -s -X POST $URL/api/workflows/executions -H "Authorization: Bearer $KEY" -H "X-Salesforce-User-Id: $USER_ID" -H 'content-type: application/json' -d "{\\"opportunityId\\":\\"$OPP\\"}"`);
  }
} else {
  lines.push(`  Salesforce: ${config.salesforce.mode === 'jwt' ? 'JWT bearer flow' : 'access token'}`);
}
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
