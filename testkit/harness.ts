import { randomBytes } from 'node:crypto';
import { createApp } from '../service/src/app.ts';
import { OrgBusinessCalendar } from '../service/src/calendar/org-calendar.ts';
import { clockFrom, middayOf } from '../service/src/clock.ts';
import { loadConfig } from '../service/src/config.ts';
import { loadEngagementRules } from '../service/src/engagement/rules.ts';
import type { Deps } from '../service/src/deps.ts';
import { createLogger } from '../service/src/log.ts';
import { PlaybookPlanner } from '../service/src/plan/playbook.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { SalesforceGateway } from '../service/src/salesforce/gateway.ts';
import { DEFAULT_RETRY, READ_RETRY } from '../service/src/salesforce/retry.ts';
import { loadStages, type RenewalStage } from '../service/src/stages/stages.ts';
import { loadWorkflows, type Workflow } from '../service/src/workflows/steps/workflows.ts';
import { type OrgEmulator, type OrgShape, type SeedData } from '../dev/org-emulator/index.ts';
import { DEMO_IDS, startDemoOrg } from '../dev/demo-seed/index.ts';
import { signAssertion, testAssertionTrust } from './assertions.ts';
import { freshDatabase } from './database.ts';
import { registerSecretValues } from '../service/src/secret-values.ts';

export const TODAY = '2026-11-25';
export const API_KEY = 'test-service-api-key-0123456789abcdef';

/**
 * The real service wired for a test: a fresh database on the real PostgreSQL server, the local Salesforce org
 * emulator (not Salesforce) reached through the real jsforce client, and the Hono app called in-process.
 */
export async function startHarness(
  opts: {
    accessCacheMs?: number;
    contextCacheMs?: number;
    /** How long a user's field access is reused (default 120 s, on a clock only `passFieldAccessCache` moves). */
    fieldAccessCacheMs?: number;
    today?: string;
    env?: Record<string, string>;
    requestTimeoutMs?: number;
    seed?: SeedData;
    /** The org's shape (dev/org-emulator/shapes/): features, picklists, required fields, validation rules. */
    shape?: OrgShape;
    /** Pins the stage or workflow table (config/stages.json, config/workflows.json by default). */
    stages?: RenewalStage[];
    workflows?: Workflow[];
    /** 'header-only' runs the app as SERVICE_TRUST_HEADER_ONLY=true does; by default it verifies signed assertions. */
    identity?: 'header-only';
    /**
     * false: do not record the statements (`dbStatements` stays empty). Recording runs postgres.js in debug mode, which
     * captures a stack trace for every query: the benches turn it off to measure the client as the service runs it.
     */
    recordStatements?: false;
    /** Also serve the emulator's Pub/Sub API (Change Data Capture), with this keepalive period (ms) for idle streams. */
    pubsubKeepaliveMs?: number;
    /** Objects the emulated org selects for Change Data Capture (default Task and Opportunity). */
    changeDataCapture?: string[];
  } = {},
) {
  const today = opts.today ?? TODAY;
  // Every statement the service sends to the database, in order (tests count them; `dbStatements.length = 0` resets).
  const dbStatements: string[] = [];
  const db = await freshDatabase(opts.recordStatements === false ? {} : { onQuery: (query) => void dbStatements.push(query) });
  const accessToken = randomBytes(16).toString('hex');
  // The service and the emulator run on one pinned clock, as a service and its org share real time.
  const clock = clockFrom(middayOf(today));
  const org: OrgEmulator = await startDemoOrg({
    accessToken,
    today: clock.now(),
    seed: opts.seed,
    shape: opts.shape,
    ...(opts.pubsubKeepaliveMs !== undefined ? { pubsubPort: 0, pubsubKeepaliveMs: opts.pubsubKeepaliveMs } : {}),
    ...(opts.changeDataCapture ? { changeDataCapture: opts.changeDataCapture } : {}),
  });
  // The mirror retries a failure at the next run (no backoff) unless a test sets one.
  const env = loadConfig({ TODAY: today, HOLIDAY_COUNTRY: 'US', LOG_LEVEL: 'silent', MIRROR_RETRY_BASE_SECONDS: '0', ...opts.env }).env;
  const conn = await connectSalesforce(
    { mode: 'emulator', apiVersion: '62.0' },
    { url: org.url, accessToken },
    { timeoutMs: opts.requestTimeoutMs ?? 10_000 },
  );
  // Keep retries fast in tests: the policy is the same, the pauses are short. The write pause after
  // REQUEST_LIMIT_EXCEEDED keeps its length but runs on a clock the test moves on (`passSalesforcePause`).
  let pauseOffsetMs = 0;
  // The field access cache's lifetime runs on a clock of its own that stands still until the test moves it: a test
  // sees a permission change exactly when it passes the lifetime, never because the suite ran slowly.
  let fieldAccessClockMs = 0;
  const fieldAccessCacheMs = opts.fieldAccessCacheMs ?? 120_000;
  const salesforce = new SalesforceGateway(conn, {
    accessCacheMs: opts.accessCacheMs ?? 0,
    contextCacheMs: opts.contextCacheMs ?? 0,
    writeRetry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 10, concurrentBaseDelayMs: 1, concurrentMaxDelayMs: 10 },
    readRetry: { ...READ_RETRY, baseDelayMs: 1, maxDelayMs: 10, concurrentBaseDelayMs: 1, concurrentMaxDelayMs: 10 },
    writePauseMs: env.SF_WRITE_PAUSE_SECONDS * 1000,
    pauseClock: () => performance.now() + pauseOffsetMs,
    fieldAccessCacheMs,
    fieldAccessClock: () => fieldAccessClockMs,
    taskStatuses: env.TASK_STATUS_MAP,
    renewalCriteria: env.RENEWAL_CRITERIA,
  });
  // As the service does at start: which optional features the org has decides what the context reads.
  await salesforce.learnFeatures();
  // The service's key and the org's token are secrets of this service, as startService registers them.
  registerSecretValues(API_KEY, accessToken);
  // The app verifies signed user assertions against the test kit's key pair (testkit/assertions.ts), as a configured
  // service verifies the org's certificate, so every test's request takes the real path.
  const orgId = String(org.records('Organization')[0]!.Id);
  const logLines: string[] = [];
  const log = createLogger('debug', (line) => logLines.push(line));
  const deps: Deps = {
    db,
    salesforce,
    planner: new PlaybookPlanner(),
    // The same calendar the service assembles: the org's holidays and business hours (the demo org's are the US ones).
    calendar: await OrgBusinessCalendar.load(conn, { country: 'US', log }),
    engagementRules: loadEngagementRules(),
    stages: opts.stages ?? loadStages(),
    workflows: opts.workflows ?? loadWorkflows(),
    env,
    apiKey: API_KEY,
    userIdentity: opts.identity === 'header-only' ? { mode: 'header-only' } : { mode: 'assertion', trust: testAssertionTrust(orgId) },
    log,
    ...clock,
  };
  const app = createApp(deps);
  const users = Object.fromEntries(org.records('User').map((u) => [String(u.Name), String(u.Id)]));
  const opportunities = Object.fromEntries(org.records('Opportunity').map((o) => [String(o.Name), String(o.Id)]));

  /**
   * A fresh signed assertion for `user` (the demo CSM by default), as the package's Apex sends with every callout,
   * issued at `now` (the service's clock by default: an app on a clock of its own needs its own).
   */
  const assertionFor = (user = users['Jordan Lee']!, now = deps.now()) => signAssertion({ user, orgId, now });

  /**
   * Calls the API as a Salesforce user (Jordan Lee, the demo CSM, by default), with a fresh signed assertion for that
   * user unless `as.assertion` gives one (null: none) or `as.headers` carries one; on this app or another instance's
   * (`as.app`).
   */
  async function api(
    method: string,
    path: string,
    body?: unknown,
    as: {
      user?: string;
      key?: string | null;
      headers?: Record<string, string>;
      assertion?: string | null;
      app?: Pick<typeof app, 'request'>;
    } = {},
  ) {
    const headers: Record<string, string> = { ...as.headers };
    if (as.key !== null) headers.authorization = `Bearer ${as.key ?? API_KEY}`;
    const user = as.user ?? users['Jordan Lee'];
    if (user) headers['x-salesforce-user-id'] = user;
    const assertion = as.assertion === undefined && user ? await assertionFor(user) : as.assertion;
    if (assertion && headers['x-salesforce-assertion'] === undefined) headers['x-salesforce-assertion'] = assertion;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await (as.app ?? app).request(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  }

  /** Starts the workflow of an opportunity (the Discovery demo by default), generates its plan and finalizes it. */
  async function finalizedPlan(opportunityId = opportunities['Acme Logistics — FY27 Renewal']!) {
    const start = await api('POST', '/api/workflows/executions', { opportunityId });
    const executionId: string = start.body.execution.id;
    await api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
    const finalized = await api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {});
    return { executionId, plan: finalized.body.plan };
  }

  return {
    db,
    sql: db.sql,
    dbStatements,
    finalizedPlan,
    org,
    orgId,
    deps,
    app,
    api,
    assertionFor,
    users,
    opportunities,
    logLines,
    discoveryId: opportunities['Acme Logistics — FY27 Renewal']!,
    /**
     * Takes Read on these fields (`Object.Field`) away from the demo's Standard User profile (Jordan Lee's), as an
     * admin would: its FieldPermissions rows deleted through jsforce. Returns the rows it deleted, for the test to check.
     * Field access already cached stays until `passFieldAccessCache`.
     */
    async withholdFromStandardUser(fields: string[]): Promise<{ Field: string; SobjectType: string }[]> {
      const conn = deps.salesforce.conn;
      const list = fields.map((f) => `'${f}'`).join(', ');
      const rows = await conn.query<{ Id: string; Field: string; SobjectType: string }>(
        `SELECT Id, Field, SobjectType FROM FieldPermissions WHERE ParentId = '${DEMO_IDS.profilePermissionSets.standardUser}' AND Field IN (${list})`,
      );
      for (const r of rows.records) await conn.sobject('FieldPermissions').destroy(r.Id);
      return rows.records.map((r) => ({ Field: r.Field, SobjectType: r.SobjectType }));
    },
    /** Moves the field access cache's clock past its lifetime: the next read of a user's field access asks the org. */
    passFieldAccessCache() {
      fieldAccessClockMs += fieldAccessCacheMs + 1;
    },
    /** Moves the Salesforce write pause's clock past the end of the current pause. */
    passSalesforcePause() {
      pauseOffsetMs += salesforce.gate.remainingMs() + 1;
    },
    async close() {
      await org.close();
      await db.drop();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof startHarness>>;
