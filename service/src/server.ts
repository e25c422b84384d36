import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import type { Connection } from 'jsforce';
import { storedApiKey } from './api-key.ts';
import { createApp } from './app.ts';
import { OrgBusinessCalendar } from './calendar/org-calendar.ts';
import { clockFor, middayOf } from './clock.ts';
import { loadConfig, type Config } from './config.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase, type Database } from './db/sql.ts';
import type { Deps } from './deps.ts';
import { createLogger, type Logger } from './log.ts';
import { llmPlannerFromEnv } from './plan/llm-planner.ts';
import { PlaybookPlanner } from './plan/playbook.ts';
import { loadEngagementRules } from './engagement/rules.ts';
import { stepModelFromEnv } from './workflows/steps/model.ts';
import { loadWorkflows } from './workflows/steps/workflows.ts';
import { loadStages } from './stages/stages.ts';
import { startSalesforceSync } from './sync/loop.ts';
import { createExecutor } from './executor/index.ts';
import { defaultWorkerId } from './executor/options.ts';
import { Schedules, serviceSchedules } from './schedules/schedules.ts';
import { installTracing } from './tracing.ts';
import { connectSalesforce } from './salesforce/connection.ts';
import { SalesforceGateway } from './salesforce/gateway.ts';

/** Why the server could not listen, in one line for the person who ran `npm start`. */
class ListenError extends Error {
  override name = 'ListenError';
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE')
    return new ListenError(`port ${port} on ${host} is already in use (another npm start?): stop it, or set PORT to a free port`);
  if (err.code === 'EACCES') return new ListenError(`port ${port} on ${host} needs more privileges: set PORT above 1023`);
  if (err.code === 'EADDRNOTAVAIL') return new ListenError(`${host} is not an address of this machine: check HOST`);
  return err;
}

export interface RunningService {
  url: string;
  deps: Deps;
  /** Set when the local Salesforce org emulator runs in-process (no Salesforce credentials configured). */
  emulator?: { url: string; opportunities: { id: string; name: string }[] };
  generatedApiKey: boolean;
  close(): Promise<void>;
}

/**
 * The service's dependencies from the configuration, an open database and a Salesforce connection. Shared by the
 * service, the standalone executor and the demo, so they run the same planner, calendar and clock. The business
 * calendar is the org's (its Holiday records and default business hours), HOLIDAY_COUNTRY when that cannot be read.
 */
export async function assembleDeps(
  config: Config,
  db: Database,
  conn: Connection,
  log: Logger,
  overrides: Partial<Deps> = {},
): Promise<Deps> {
  const { env } = config;
  const calendar =
    overrides.calendar ?? (await OrgBusinessCalendar.load(conn, { country: env.HOLIDAY_COUNTRY, region: env.HOLIDAY_REGION, log }));
  log.info('business calendar', { source: calendar.source });
  return {
    db,
    salesforce: new SalesforceGateway(conn, {
      renewalDateField: env.SF_RENEWAL_DATE_FIELD,
      accessCacheMs: env.ACCESS_CACHE_SECONDS * 1000,
      writePauseMs: env.SF_WRITE_PAUSE_SECONDS * 1000,
    }),
    planner: llmPlannerFromEnv(env) ?? new PlaybookPlanner(),
    stepModel: stepModelFromEnv(env),
    calendar,
    engagementRules: loadEngagementRules(),
    stages: loadStages(),
    workflows: loadWorkflows(),
    env,
    apiKey: env.SERVICE_API_KEY ?? randomBytes(32).toString('base64url'),
    log,
    ...clockFor(env.TODAY),
    ...overrides,
  };
}

/**
 * Starts the service: database (its own PostgreSQL server when DATABASE_URL is unset) and migrations, Salesforce (the local org
 * emulator when no credentials are set), the HTTP server, the Salesforce sync loop, the AI task executor
 * (unless EXECUTOR_ENABLED=false) and the schedules.
 */
export async function startService(
  config: Config = loadConfig(),
  log: Logger = createLogger(config.env.LOG_LEVEL),
): Promise<RunningService> {
  const { env } = config;
  installTracing({ otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: Error) => log.warn('shutdown step failed', { error: err.message }));
  };
  try {
    const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolMax: env.DATABASE_POOL_MAX });
    closers.push(() => db.close());
    const applied = await migrate(db.sql);
    log.info('database ready', { kind: db.kind, migrationsApplied: applied });

    let emulator: RunningService['emulator'];
    let emulatorLink: { url: string; accessToken: string } | undefined;
    if (config.salesforce.mode === 'emulator') {
      const { startOrgEmulator } = await import('../../dev/org-emulator/index.ts');
      const accessToken = randomBytes(24).toString('base64url');
      const org = await startOrgEmulator({ accessToken, today: env.TODAY ? middayOf(env.TODAY) : undefined });
      closers.push(() => org.close());
      emulatorLink = { url: org.url, accessToken };
      const opportunities = org.records('Opportunity').map((o) => ({ id: String(o.Id), name: String(o.Name) }));
      emulator = { url: org.url, opportunities };
      log.info('local Salesforce org emulator started (not Salesforce)', { url: org.url });
    }
    const conn = await connectSalesforce(config.salesforce, emulatorLink, { timeoutMs: env.SF_REQUEST_TIMEOUT_SECONDS * 1000 });
    const generatedApiKey = !env.SERVICE_API_KEY;
    // The embedded mode keeps the key it generated in DATA_DIR, so preview links and exported keys survive a restart.
    const deps = await assembleDeps(config, db, conn, log, generatedApiKey ? { apiKey: storedApiKey(env.DATA_DIR) } : {});

    const sync = startSalesforceSync(deps, env.SF_SYNC_INTERVAL_SECONDS * 1000);
    closers.push(() => sync.stop());

    const app = createApp(deps);
    const server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => resolve(s));
      s.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, env.HOST, env.PORT)));
    });
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    // Pushed after the server so they stop first: the executor stops claiming at once, lets running tasks finish
    // within EXECUTOR_SHUTDOWN_TIMEOUT_SECONDS and releases the rest; nothing is left running.
    const schedules = new Schedules(deps, serviceSchedules(env), { instanceId: defaultWorkerId(), timezone: env.SCHEDULE_TIMEZONE });
    schedules.start();
    closers.push(() => schedules.stop());
    if (env.EXECUTOR_ENABLED) {
      const executor = createExecutor(deps);
      await executor.start();
      closers.push(async () => void (await executor.stop()));
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    return { url: `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`, deps, emulator, generatedApiKey, close };
  } catch (err) {
    await close();
    throw err;
  }
}
