import { z } from 'zod';
import { defineProcessor, PermanentError } from '../../processors/port.ts';
import { registryOf, type ProcessorRegistry } from '../../processors/registry.ts';
import { clockFrom, middayOf } from '../../service/src/clock.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import type { ExecutorServices } from '../../service/src/executor/services.ts';
import { createLogger, type Logger } from '../../service/src/log.ts';

/**
 * Processors for the executor's own tests and the bench (not product processors): they record every run in
 * `executor_test_runs`, so a task that ran twice shows as two rows.
 */
export async function createRunsTable(sql: Sql): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS executor_test_runs (
    task_id uuid NOT NULL, worker text NOT NULL, attempt integer NOT NULL, latency_ms double precision,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp())`;
}

const Behaviour = z.object({
  /** Fail this many first attempts with a retryable error. */
  failTimes: z.number().int().min(0).default(0),
  permanent: z.boolean().default(false),
  /** Hang on the first attempt (to be killed or to lose its lease). */
  hangOnFirstAttempt: z.boolean().default(false),
  sleepMs: z.number().int().min(0).default(0),
  /** Epoch ms when the task was queued (bench: wake-up latency). */
  queuedAt: z.number().optional(),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The test processors, recording their runs in `sql` (a processor's services reach no database). */
export function testRegistry(worker: string, sql: Sql): ProcessorRegistry {
  const recorder = defineProcessor({
    name: 'test-recorder',
    summary: 'Records its runs (executor tests)',
    metadata: Behaviour,
    writesFields: false,
    changePreview: () => ({ description: 'none', fields: [] }),
    async run(input, { task }) {
      const latency = input.queuedAt ? Date.now() - input.queuedAt : null;
      await sql`INSERT INTO executor_test_runs (task_id, worker, attempt, latency_ms) VALUES (${task.id}, ${worker}, ${task.attempts}, ${latency})`;
      if (input.hangOnFirstAttempt && task.attempts === 1) await sleep(3_600_000);
      if (input.sleepMs) await sleep(input.sleepMs);
      if (input.permanent) throw new PermanentError('this task can never succeed', 'TEST_PERMANENT');
      if (task.attempts <= input.failTimes) throw new Error(`transient failure on attempt ${task.attempts}`);
      return { summary: `ran by ${worker}`, worker };
    },
  });
  return registryOf([recorder]);
}

/** Services for the test processors, which only use the database and the log. */
export function testServices(sql: Sql, log: Logger = createLogger('silent')): ExecutorServices {
  const unused = (what: string) =>
    new Proxy(
      {},
      {
        get: () => {
          throw new Error(`test processors do not use ${what}`);
        },
      },
    );
  return {
    sql,
    log,
    salesforce: unused('Salesforce') as never,
    calendar: unused('the calendar') as never,
    ...clockFrom(middayOf('2026-11-25')),
  };
}
