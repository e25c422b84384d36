/**
 * `npm run executor`: the AI task executor alone (no HTTP server), for running more executors than service
 * instances, or from a system cron with `npm run executor -- --once` (one claim-and-run cycle, then exit).
 * Needs DATABASE_URL: the embedded PostgreSQL server belongs to the `npm start` process that runs it.
 */
import { loadConfigOrExit } from '../service/src/config.ts';
import { migrate } from '../service/src/db/migrate.ts';
import { openDatabase } from '../service/src/db/sql.ts';
import { createExecutor } from '../service/src/executor/index.ts';
import { createLogger } from '../service/src/log.ts';
import { assembleDeps } from '../service/src/server.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { installTracing } from '../service/src/tracing.ts';

const once = process.argv.includes('--once');
const config = loadConfigOrExit();
const { env } = config;
const log = createLogger(env.LOG_LEVEL);
// As the service does (startService): with OTEL_EXPORTER_OTLP_ENDPOINT set, one span per AI task run, exported, and
// the trace id in every log line of a run; unset, no tracing.
installTracing({ otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
if (!env.DATABASE_URL) {
  console.error(
    'npm run executor needs DATABASE_URL (the embedded PostgreSQL server belongs to `npm start`, and the executor runs inside it there).',
  );
  process.exit(2);
}
if (config.salesforce.mode === 'emulator') {
  console.error(
    'npm run executor needs a Salesforce login (SF_INSTANCE_URL + SF_ACCESS_TOKEN, or the JWT flow); point SF_INSTANCE_URL at `npm run org-emulator` to use the local org emulator (not Salesforce).',
  );
  process.exit(2);
}

const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolMax: env.DATABASE_POOL_MAX });
await migrate(db.sql);
const deps = await assembleDeps(
  config,
  db,
  await connectSalesforce(config.salesforce, undefined, { timeoutMs: config.env.SF_REQUEST_TIMEOUT_SECONDS * 1000 }),
  log,
);
const executor = createExecutor(deps);

if (once) {
  const outcomes = await executor.runOnce();
  const count = (s: string) => outcomes.filter((o) => o.status === s).length;
  log.info('executor --once finished', {
    claimed: outcomes.length,
    success: count('success'),
    retrying: count('queued'),
    failed: count('failed'),
    lost: count('lost'),
  });
  await db.close();
  process.exit(0);
}

await executor.start();
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info('executor shutting down', { signal });
  await executor.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
