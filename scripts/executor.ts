/**
 * `npm run executor`: the AI task executor alone (no HTTP server), for running more executors than service
 * instances, or from a system cron with `npm run executor -- --once` (one claim-and-run cycle, then exit).
 * Needs DATABASE_URL: embedded PGlite serves one process, the service's own.
 */
import { randomBytes } from 'node:crypto';
import { BusinessCalendar } from '../service/src/calendar/business-days.ts';
import { toIsoDate } from '../service/src/calendar/dates.ts';
import { ConfigError, loadConfig } from '../service/src/config.ts';
import { migrate } from '../service/src/db/migrate.ts';
import { openDatabase } from '../service/src/db/sql.ts';
import type { Deps } from '../service/src/deps.ts';
import { createExecutor } from '../service/src/executor/index.ts';
import { createLogger } from '../service/src/log.ts';
import { PlaybookPlanner } from '../service/src/plan/playbook.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { SalesforceGateway } from '../service/src/salesforce/gateway.ts';

const once = process.argv.includes('--once');
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
const { env } = config;
const log = createLogger(env.LOG_LEVEL);
if (!env.DATABASE_URL) {
  console.error('npm run executor needs DATABASE_URL (embedded PGlite serves only the service process; there, the executor runs inside `npm start`).');
  process.exit(2);
}
if (config.salesforce.mode === 'emulator') {
  console.error('npm run executor needs a Salesforce login (SF_INSTANCE_URL + SF_ACCESS_TOKEN, or the JWT flow); point SF_INSTANCE_URL at `npm run org-emulator` to use the local org emulator (not Salesforce).');
  process.exit(2);
}

const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolMax: env.DATABASE_POOL_MAX });
await migrate(db.sql);
const conn = await connectSalesforce(config.salesforce);
const deps: Deps = {
  db,
  salesforce: new SalesforceGateway(conn, { renewalDateField: env.SF_RENEWAL_DATE_FIELD, accessCacheMs: env.ACCESS_CACHE_SECONDS * 1000 }),
  planner: new PlaybookPlanner(),
  calendar: new BusinessCalendar(env.HOLIDAY_COUNTRY, env.HOLIDAY_REGION),
  env,
  apiKey: env.SERVICE_API_KEY ?? randomBytes(32).toString('base64url'),
  log,
  today: () => env.TODAY ?? toIsoDate(new Date()),
};
const executor = createExecutor(deps);

if (once) {
  const outcomes = await executor.runOnce();
  const count = (s: string) => outcomes.filter((o) => o.status === s).length;
  log.info('executor --once finished', { claimed: outcomes.length, success: count('success'), retrying: count('queued'), failed: count('failed'), lost: count('lost') });
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
