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
import { startOrgEmulator, type OrgEmulator, type SeedData } from '../dev/org-emulator/index.ts';
import { freshDatabase } from './database.ts';

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
    today?: string;
    env?: Record<string, string>;
    requestTimeoutMs?: number;
    seed?: SeedData;
    /** Pins the stage or workflow table (config/stages.json, config/workflows.json by default). */
    stages?: RenewalStage[];
    workflows?: Workflow[];
  } = {},
) {
  const today = opts.today ?? TODAY;
  // Every statement the service sends to the database, in order (tests count them; `dbStatements.length = 0` resets).
  const dbStatements: string[] = [];
  const db = await freshDatabase({ onQuery: (query) => void dbStatements.push(query) });
  const accessToken = randomBytes(16).toString('hex');
  // The service and the emulator run on one pinned clock, as a service and its org share real time.
  const clock = clockFrom(middayOf(today));
  const org: OrgEmulator = await startOrgEmulator({ accessToken, today: clock.now(), seed: opts.seed });
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
  const salesforce = new SalesforceGateway(conn, {
    accessCacheMs: opts.accessCacheMs ?? 0,
    contextCacheMs: opts.contextCacheMs ?? 0,
    writeRetry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 10 },
    readRetry: { ...READ_RETRY, baseDelayMs: 1, maxDelayMs: 10 },
    writePauseMs: env.SF_WRITE_PAUSE_SECONDS * 1000,
    pauseClock: () => performance.now() + pauseOffsetMs,
  });
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
    log,
    ...clock,
  };
  const app = createApp(deps);
  const users = Object.fromEntries(org.records('User').map((u) => [String(u.Name), String(u.Id)]));
  const opportunities = Object.fromEntries(org.records('Opportunity').map((o) => [String(o.Name), String(o.Id)]));

  /** Calls the API as a Salesforce user (Jordan Lee, the demo CSM, by default), on this app or another instance's (`as.app`). */
  async function api(
    method: string,
    path: string,
    body?: unknown,
    as: { user?: string; key?: string | null; headers?: Record<string, string>; app?: Pick<typeof app, 'request'> } = {},
  ) {
    const headers: Record<string, string> = { ...as.headers };
    if (as.key !== null) headers.authorization = `Bearer ${as.key ?? API_KEY}`;
    const user = as.user ?? users['Jordan Lee'];
    if (user) headers['x-salesforce-user-id'] = user;
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
    return { status: res.status, body: json, text };
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
    deps,
    app,
    api,
    users,
    opportunities,
    logLines,
    discoveryId: opportunities['Acme Logistics — FY27 Renewal']!,
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
