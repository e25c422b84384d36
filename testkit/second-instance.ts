import postgres from 'postgres';
import { createApp } from '../service/src/app.ts';
import type { Sql } from '../service/src/db/sql.ts';
import type { Deps } from '../service/src/deps.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { SalesforceGateway } from '../service/src/salesforce/gateway.ts';
import { DEFAULT_RETRY, READ_RETRY } from '../service/src/salesforce/retry.ts';
import type { Harness } from './harness.ts';

/**
 * A second service instance beside a harness's: its own app, its own postgres.js pool on the same database and its
 * own jsforce connection and gateway to the same org emulator, as two deployed instances share one database and one
 * org. Requests go to it through `h.api(..., { app: second.app })`.
 */
export async function startSecondInstance(h: Harness) {
  const sql = postgres(h.db.url, { max: 5, onnotice: () => undefined, transform: { undefined: null } }) as Sql;
  const conn = await connectSalesforce(
    { mode: 'emulator', apiVersion: '62.0' },
    { url: h.org.url, accessToken: h.deps.salesforce.conn.accessToken! },
    { timeoutMs: 10_000 },
  );
  // The harness's policies: caches off, short retry pauses; its own write pause (a gateway's pause is per instance).
  const salesforce = new SalesforceGateway(conn, {
    accessCacheMs: 0,
    contextCacheMs: 0,
    writeRetry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 10 },
    readRetry: { ...READ_RETRY, baseDelayMs: 1, maxDelayMs: 10 },
    writePauseMs: h.deps.env.SF_WRITE_PAUSE_SECONDS * 1000,
    taskStatuses: h.deps.env.TASK_STATUS_MAP,
  });
  // As every instance does at start: the org's features and Task statuses decide what it reads and writes.
  await salesforce.learnFeatures();
  const deps: Deps = { ...h.deps, db: { sql, kind: 'server', close: () => sql.end({ timeout: 5 }) }, salesforce };
  return {
    deps,
    app: createApp(deps),
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
export type SecondInstance = Awaited<ReturnType<typeof startSecondInstance>>;
