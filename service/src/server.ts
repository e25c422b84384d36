import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Connection } from 'jsforce';
import { storedApiKey } from './api-key.ts';
import { createApp } from './app.ts';
import type { DemoAssertionKey } from './assertion/demo-key.ts';
import { userIdentityFor } from './assertion/identity.ts';
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
import { SyncStatus } from './sync/sync-status.ts';
import type { PubSubEndpoint } from './salesforce/pubsub/client.ts';
import { createExecutor } from './executor/index.ts';
import { defaultWorkerId } from './executor/options.ts';
import { Schedules, serviceSchedules } from './schedules/schedules.ts';
import { installTracing } from './tracing.ts';
import { connectSalesforce } from './salesforce/connection.ts';
import { SalesforceGateway } from './salesforce/gateway.ts';
import { registerSecretValues } from './secret-values.ts';
import { removeServiceFile, writeServiceFile } from './db/embedded/service-file.ts';

/** Why the server could not listen, in one line for the person who ran `npm start`. */
class ListenError extends Error {
  override name = 'ListenError';
}

/** Fails with the listen error's one line when HOST:PORT is taken (PORT 0 picks a free one: nothing to probe). */
async function probePort(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
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
  /** The embedded mode's assertion key (DATA_DIR), which signs for the local preview and `npm run assertion`. */
  demoKey?: DemoAssertionKey;
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
  const userIdentity = overrides.userIdentity ?? (await userIdentityFor(config, conn, log, clockFor(env.TODAY).now())).identity;
  const calendar =
    overrides.calendar ?? (await OrgBusinessCalendar.load(conn, { country: env.HOLIDAY_COUNTRY, region: env.HOLIDAY_REGION, log }));
  log.info('business calendar', { source: calendar.source });
  return {
    db,
    salesforce: new SalesforceGateway(conn, {
      renewalDateField: env.SF_RENEWAL_DATE_FIELD,
      accessCacheMs: env.ACCESS_CACHE_SECONDS * 1000,
      fieldAccessCacheMs: env.FIELD_ACCESS_CACHE_SECONDS * 1000,
      writePauseMs: env.SF_WRITE_PAUSE_SECONDS * 1000,
      taskStatuses: env.TASK_STATUS_MAP,
      renewalCriteria: env.RENEWAL_CRITERIA,
    }),
    planner: llmPlannerFromEnv(env) ?? new PlaybookPlanner(),
    stepModel: stepModelFromEnv(env),
    calendar,
    engagementRules: loadEngagementRules(),
    stages: loadStages(),
    workflows: loadWorkflows(),
    env,
    apiKey: env.SERVICE_API_KEY ?? randomBytes(32).toString('base64url'),
    userIdentity,
    log,
    syncStatus: new SyncStatus(),
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
    // A busy port is found before anything is created: no DATA_DIR, database or emulator is left behind for it.
    await probePort(env.HOST, env.PORT);
    const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolMax: env.DATABASE_POOL_MAX });
    closers.push(() => db.close());
    const applied = await migrate(db.sql);
    log.info('database ready', { kind: db.kind, migrationsApplied: applied });

    let emulator: RunningService['emulator'];
    let emulatorLink: { url: string; accessToken: string } | undefined;
    let pubsub: PubSubEndpoint = { address: env.SF_PUBSUB_ENDPOINT, tls: true };
    if (config.salesforce.mode === 'emulator') {
      const { startDemoOrg } = await import('../../dev/demo-seed/index.ts');
      const accessToken = randomBytes(24).toString('base64url');
      // With its Pub/Sub API on a free port, plaintext: the embedded mode streams change events like a real org.
      const org = await startDemoOrg({ accessToken, today: env.TODAY ? middayOf(env.TODAY) : undefined, pubsubPort: 0 });
      if (org.pubsubAddress) pubsub = { address: org.pubsubAddress, tls: false };
      closers.push(() => org.close());
      emulatorLink = { url: org.url, accessToken };
      const opportunities = org.records('Opportunity').map((o) => ({ id: String(o.Id), name: String(o.Name) }));
      emulator = { url: org.url, opportunities };
      log.info('local Salesforce org emulator started (not Salesforce)', { url: org.url });
    }
    const conn = await connectSalesforce(config.salesforce, emulatorLink, { timeoutMs: env.SF_REQUEST_TIMEOUT_SECONDS * 1000 });
    const generatedApiKey = !env.SERVICE_API_KEY;
    // The embedded mode keeps the key it generated in DATA_DIR, so preview links and exported keys survive a restart.
    const { identity: userIdentity, demoKey } = await userIdentityFor(config, conn, log, clockFor(env.TODAY).now());
    const deps = await assembleDeps(config, db, conn, log, {
      userIdentity,
      ...(generatedApiKey ? { apiKey: storedApiKey(env.DATA_DIR) } : {}),
    });
    // What the service made up itself is as secret as what it was given (the configured ones are known already).
    registerSecretValues(deps.apiKey, emulatorLink?.accessToken, demoKey?.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

    // Which optional features the org has (teams, Enhanced Email, custom notifications) decides what the service reads;
    // an org that cannot be asked keeps the all-on default, and the first failing read says why.
    await deps.salesforce.learnFeatures().then(
      (features) => log.info('org features', { ...features }),
      (err: Error) => log.warn('org features unknown, assuming all on', { error: err.message }),
    );

    const sync = startSalesforceSync(deps, env.SF_SYNC_INTERVAL_SECONDS * 1000, {
      pubsub: env.SF_PUBSUB === 'on' ? pubsub : undefined,
      catchUpMs: env.SF_SYNC_CATCHUP_MINUTES * 60_000,
      status: deps.syncStatus,
    });
    closers.push(() => sync.stop());

    // The embedded mode's demo key signs the local preview's requests on the server side, as Apex would in Salesforce.
    // (Header-only, it forwards them unsigned, so the preview works there too.)
    const app = createApp(deps, config.salesforce.mode === 'emulator' ? { previewApex: { privateKey: demoKey?.privateKey } } : {});
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
    const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;
    // The runbook CLI finds this service from DATA_DIR (service-file.ts); with DATABASE_URL, only when DATA_DIR exists.
    if (db.embedded || existsSync(env.DATA_DIR)) {
      writeServiceFile(env.DATA_DIR, {
        pid: process.pid,
        url,
        database: db.embedded ? { kind: 'embedded', ...db.embedded.address } : { kind: 'server' },
      });
      // Removed right before the database closes (closers run last first; the database's is the first pushed).
      closers.splice(1, 0, async () => removeServiceFile(env.DATA_DIR));
    }
    // The embedded mode's default audience is the URL it listens on, known only now when PORT=0 picked one.
    if (demoKey && !env.SERVICE_AUDIENCE && userIdentity.mode === 'assertion') userIdentity.trust.audience = url;
    return { url, deps, emulator, generatedApiKey, demoKey, close };
  } catch (err) {
    await close();
    throw err;
  }
}
