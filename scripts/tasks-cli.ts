/**
 * `npm run tasks -- <command>`: the operator's view of the AI task queue, on DATABASE_URL when set, otherwise on the
 * database of the service running from DATA_DIR (found through DATA_DIR/service.json; see docs/runbook-cli.md).
 *
 *   depth                      AI tasks by execution status
 *   list [queued|running|failed|success] [--limit N]
 *   errors [--limit N]         the latest errors (failed for good or waiting to retry)
 *   retry <task id>            queue a failed task again now, attempts reset
 *   cancel <task id> [reason]  a queued or failed task will not run
 *   mirrors [--limit N]        tasks not (yet) copied to Salesforce: waiting (retried automatically) or rejected;
 *                              and Salesforce Tasks skipped because they are not the Task the mirror wrote
 *   mirror-retry <task id>     copy that task at the next sync run (backoff reset; a rejected one is tried again)
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../service/src/config.ts';
import { runningServiceOf } from '../service/src/db/embedded/service-file.ts';
import { migrate } from '../service/src/db/migrate.ts';
import { retryMirror, waitingMirrors } from '../service/src/db/mirror-queue.ts';
import { cancelTask, lastErrors, listQueue, queueDepth, retryTask } from '../service/src/db/queue.ts';
import { openDatabase, type Database } from '../service/src/db/sql.ts';
import { skippedSalesforceTasks } from '../service/src/db/task-provenance.ts';
import type { ExecutionStatus } from '../service/src/db/tasks.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const usage = () => {
  console.error(
    'usage: npm run tasks -- depth | list [queued|running|failed|success] [--limit N] | errors [--limit N] | retry <id> | cancel <id> [reason]' +
      ' | mirrors [--limit N] | mirror-retry <id>',
  );
  process.exit(2);
};

/** Every failure of the CLI is one line on stderr, without a stack trace, and exit code 1. */
function fail(message: string): never {
  console.error(`npm run tasks: ${message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ')}`);
  process.exit(1);
}

/**
 * The database the operator means: DATABASE_URL when set; otherwise the one of the service running from DATA_DIR,
 * found through the file it keeps there. With neither, it says so; it never starts (or creates) a database of its
 * own, which a second embedded server on a running service's DATA_DIR could not be anyway. Says which one on stderr.
 */
async function operatorDatabase(env: { DATABASE_URL?: string; DATA_DIR: string }): Promise<Database> {
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    console.error(`database: DATABASE_URL (${url.hostname}:${url.port || 5432}${url.pathname})`);
    return openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolMax: 2 });
  }
  const running = runningServiceOf(env.DATA_DIR);
  if (running.state === 'none') fail(`${running.reason}: start it (npm start), or set DATABASE_URL to reach a database directly`);
  const { info } = running;
  if (info.database.kind === 'server')
    fail(`the service running from DATA_DIR (pid ${info.pid}, ${info.url}) uses DATABASE_URL: set DATABASE_URL to the same value`);
  const { host, port, user, database } = info.database;
  console.error(
    `database: the embedded PostgreSQL of the service running from DATA_DIR (pid ${info.pid}, ${info.url}), on ${host}:${port}`,
  );
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(running.password!)}@${host}:${port}/${encodeURIComponent(database)}`;
  return openDatabase({ url, dataDir: env.DATA_DIR, poolMax: 2 });
}

/** The command line: parseArgs refuses an unknown option or a `--limit` without its value, in one line. */
function commandLine(): { command: string | undefined; positional: string[]; limit: number } {
  try {
    const { values, positionals } = parseArgs({ options: { limit: { type: 'string', default: '20' } }, allowPositionals: true });
    const [command, ...positional] = positionals;
    return { command, positional, limit: Number(values.limit) };
  } catch (err) {
    console.error(`npm run tasks: ${(err as Error).message}`);
    process.exit(2);
  }
}

const { command, positional, limit } = commandLine();
let env: ReturnType<typeof loadConfig>['env'];
try {
  env = loadConfig().env;
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}
if (!command || !Number.isInteger(limit) || limit < 1) usage();
const db = await operatorDatabase(env).catch((err: Error) => fail(`cannot reach the database: ${err.message}`));
try {
  await migrate(db.sql);
  const table = (rows: object[]) => (rows.length ? console.table(rows) : console.log('(none)'));
  const brief = (r: Awaited<ReturnType<typeof listQueue>>[number]) => ({
    id: r.id,
    processor: r.processor,
    status: r.executionStatus,
    attempts: `${r.attempts}/${r.maxAttempts}`,
    runAfter: r.runAfter.toISOString(),
    claimedBy: r.claimedBy,
    lastError: r.lastError?.slice(0, 80) ?? '',
  });
  switch (command) {
    case 'depth':
      console.log(JSON.stringify(await queueDepth(db.sql)));
      break;
    case 'list': {
      const status = positional[0] as ExecutionStatus | undefined;
      if (status && !['queued', 'running', 'failed', 'success'].includes(status)) usage();
      table((await listQueue(db.sql, status, limit)).map(brief));
      break;
    }
    case 'errors': {
      const errors = await lastErrors(db.sql, limit);
      if (errors.length === 0) console.log('(none)');
      for (const r of errors)
        console.log(
          `${r.updatedAt.toISOString()} ${r.id} ${r.processor} [${r.executionStatus} ${r.attempts}/${r.maxAttempts}] ${r.lastError}`,
        );
      break;
    }
    case 'retry': {
      if (!UUID.test(positional[0] ?? '')) usage();
      const status = await retryTask(db.sql, positional[0]!);
      console.log(status ? `queued ${positional[0]}` : `not retried: ${positional[0]} is not a failed or queued AI task`);
      process.exitCode = status ? 0 : 1;
      break;
    }
    case 'cancel': {
      if (!UUID.test(positional[0] ?? '')) usage();
      const reason = positional.slice(1).join(' ') || 'Cancelled by an operator';
      const done = await cancelTask(db.sql, positional[0]!, reason);
      console.log(
        done
          ? `cancelled ${positional[0]}`
          : `not cancelled: ${positional[0]} is not a queued or failed AI task (a running one finishes first)`,
      );
      process.exitCode = done ? 0 : 1;
      break;
    }
    case 'mirrors': {
      const rows = await waitingMirrors(db.sql, limit);
      table(
        rows.map((r) => ({
          id: r.id,
          state: r.mirrorStatus === 'failed' ? 'rejected' : 'waiting',
          waitingMin: r.waitingSeconds === null ? '' : Math.round(r.waitingSeconds / 60),
          attempts: r.attempts,
          nextTry: r.retryAt?.toISOString() ?? (r.mirrorStatus === 'pending' ? 'next sync run' : 'never (fix, then retry)'),
          lastError: r.lastError?.slice(0, 80) ?? '',
        })),
      );
      if (rows.length) console.log(`retry one now: npm run tasks -- mirror-retry ${rows[0]!.id}`);
      const skipped = await skippedSalesforceTasks(db.sql, limit);
      console.log(`salesforce tasks skipped (carry a plan task's key, not the Task the mirror wrote): ${skipped.total}`);
      if (skipped.rows.length)
        console.table(
          skipped.rows.map((r) => ({
            salesforceTaskId: r.salesforceTaskId,
            planTaskId: r.actionPlanTaskId,
            whatId: r.whatId ?? '',
            reason: r.reason,
            status: r.status ?? '',
            timesSeen: r.timesSeen,
            lastSeen: r.lastSeenAt.toISOString(),
          })),
        );
      break;
    }
    case 'mirror-retry': {
      if (!UUID.test(positional[0] ?? '')) usage();
      const done = await retryMirror(db.sql, positional[0]!);
      console.log(
        done
          ? `${positional[0]} will be copied to Salesforce at the next sync run (SF_SYNC_INTERVAL_SECONDS)`
          : `not retried: ${positional[0]} is not a task waiting for or rejected by Salesforce`,
      );
      process.exitCode = done ? 0 : 1;
      break;
    }
    default:
      usage();
  }
} catch (err) {
  await db.close().catch(() => undefined);
  fail((err as Error).message);
} finally {
  await db.close().catch(() => undefined);
}
