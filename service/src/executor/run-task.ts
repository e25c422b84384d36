import { ZodError } from 'zod';
import { EmailProviderError } from '../email/provider.ts';
import { PermanentError } from '../../../processors/port.ts';
import type { ProcessorRegistry } from '../../../processors/registry.ts';
import { completeTask, deferTask, failTask, type ClaimedTask } from '../db/queue.ts';
import { taskContext } from '../db/processor-port.ts';
import type { ExecutionStatus } from '../db/tasks.ts';
import { SalesforceError } from '../salesforce/errors.ts';
import type { ExecutorMetrics } from './metrics.ts';
import type { ExecutorOptions } from './options.ts';
import { processorPort, type ExecutorServices } from './services.ts';

export interface RunOutcome {
  taskId: string;
  /** The status written, or 'lost' when the claim no longer held and nothing was written. */
  status: ExecutionStatus | 'lost';
  error?: string;
  /** Queued again without spending an attempt (Salesforce writes paused), due after this many milliseconds. */
  deferredMs?: number;
}

/** A failure that is not the task's: Salesforce paused writes. The task waits for the pause, its attempt given back. */
function pauseOf(err: unknown): { message: string; delayMs: number; code: string } | undefined {
  if (!(err instanceof SalesforceError) || err.kind !== 'rate_limited') return undefined;
  return { message: `Salesforce ${err.code}: ${err.message}`, delayMs: err.retryAfterMs ?? 0, code: err.code };
}

/** How a processor error is classified: permanent errors are not retried. */
function classifyError(err: unknown): { message: string; permanent: boolean; code?: string } {
  if (err instanceof PermanentError) return { message: err.message, permanent: true, code: err.code };
  if (err instanceof ZodError)
    return {
      message: `Invalid task metadata: ${err.issues.map((i) => `${i.path.join('.') || '(metadata)'} ${i.message}`).join('; ')}`,
      permanent: true,
      code: 'INVALID_METADATA',
    };
  if (err instanceof SalesforceError)
    return { message: `Salesforce ${err.code}: ${err.message}`, permanent: err.kind === 'permanent', code: err.code };
  if (err instanceof EmailProviderError) return { message: err.message, permanent: !err.retryable, code: 'EMAIL_PROVIDER' };
  return { message: (err as Error)?.message ?? String(err), permanent: false };
}

class TaskTimeout extends Error {
  override name = 'TaskTimeout';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TaskTimeout(`The processor did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs one claimed task outside any transaction: looks its processor up by name, parses the metadata with the
 * processor's schema, runs it with `{ task, customer, workflow }`, then completes or fails the task under its
 * claim token.
 */
export async function runClaimedTask(
  task: ClaimedTask,
  env: {
    registry: ProcessorRegistry;
    services: ExecutorServices;
    options: ExecutorOptions;
    metrics?: ExecutorMetrics;
    /** How a success is written (the executor groups them; default: one statement per task). */
    complete?: (task: ClaimedTask, result: unknown) => Promise<boolean>;
    /** The execution a task belongs to (the executor caches it briefly: a batch shares one execution). */
    context?: (executionId: string) => ReturnType<typeof taskContext>;
    /** Milliseconds left in this process's Salesforce write pause (a deferred task waits at least that long). */
    writePauseMs?: () => number;
  },
): Promise<RunOutcome> {
  const { registry, services, options, metrics } = env;
  const complete = env.complete ?? ((t: ClaimedTask, r: unknown) => completeTask(services.sql, t, r));
  const contextOf = env.context ?? ((id: string) => taskContext(services.sql, id));
  const log = services.log;
  const processorName = task.processor ?? '(none)';
  const started = performance.now();
  let outcome: RunOutcome;
  try {
    const processor = task.processor ? registry.get(task.processor) : undefined;
    if (!processor)
      throw new PermanentError(`No processor is registered under the name ${JSON.stringify(processorName)}`, 'UNKNOWN_PROCESSOR');
    const input = processor.metadata.parse(task.metadata);
    const ctx = await contextOf(task.executionId);
    if (!ctx) throw new PermanentError(`The task's workflow execution ${task.executionId} no longer exists`, 'NOT_FOUND');
    // At debug: at info a run is one line, its outcome (a running task shows in `npm run tasks` with its worker and lease).
    log.debug('ai task started', { taskId: task.id, processor: processorName, attempt: task.attempts, worker: options.workerId });
    const result = await withTimeout(
      processor.run(input, {
        task,
        customer: {
          opportunityId: ctx.opportunityId,
          opportunityName: ctx.opportunityName,
          accountId: ctx.accountId,
          accountName: ctx.accountName,
          csmUserId: ctx.csmUserId,
        },
        workflow: {
          executionId: task.executionId,
          actionPlanId: task.actionPlanId,
          stage: ctx.stage,
          urgency: ctx.urgency,
          renewalDate: ctx.renewalDate,
          daysToRenewal: ctx.daysToRenewal,
        },
        services: processorPort(services, task),
      }),
      options.taskTimeoutMs,
    );
    const kept = await complete(task, result);
    outcome = { taskId: task.id, status: kept ? 'success' : 'lost' };
  } catch (err) {
    outcome = await recordFailure(err);
  }
  const seconds = (performance.now() - started) / 1000;
  metrics?.duration.observe({ processor: processorName }, seconds);
  metrics?.runs.inc({ processor: processorName, outcome: outcome.status });
  if (outcome.status === 'lost') {
    metrics?.rejected.inc();
    log.warn('ai task result discarded: the claim no longer holds (lease lost)', { taskId: task.id, worker: options.workerId });
  } else if (outcome.status === 'success') {
    log.info('ai task succeeded', {
      taskId: task.id,
      processor: processorName,
      attempt: task.attempts,
      worker: options.workerId,
      ms: Math.round(seconds * 1000),
    });
  }
  return outcome;

  /** A deferral while Salesforce writes are paused, else a failed attempt (retried after the delay, or final). */
  async function recordFailure(err: unknown): Promise<RunOutcome> {
    const pause = pauseOf(err);
    if (pause) {
      const delayMs = Math.max(pause.delayMs, env.writePauseMs?.() ?? 0);
      const kept = await deferTask(services.sql, task, { ...pause, delayMs });
      log.warn('ai task deferred: Salesforce writes are paused; the attempt is not counted', {
        taskId: task.id,
        processor: processorName,
        code: pause.code,
        retryInSeconds: Math.ceil(delayMs / 1000),
        kept,
      });
      return kept ? { taskId: task.id, status: 'queued', deferredMs: delayMs, error: pause.message } : { taskId: task.id, status: 'lost' };
    }
    const failure = classifyError(err);
    // Salesforce's Retry-After, when longer than our own delay, decides when the next attempt is due.
    const retryAfterMs = err instanceof SalesforceError ? (err.retryAfterMs ?? 0) : 0;
    const jitter = 0.8 + Math.random() * 0.4;
    const status = await failTask(services.sql, task, {
      ...failure,
      retryDelayMs: Math.max(retryAfterMs, Math.round(options.retryDelayMs * jitter)),
    });
    if (status) metrics?.failures.inc({ processor: processorName, final: String(status === 'failed') });
    log[status === 'failed' ? 'error' : 'warn']('ai task attempt failed', {
      taskId: task.id,
      processor: processorName,
      attempt: task.attempts,
      maxAttempts: task.maxAttempts,
      permanent: failure.permanent,
      code: failure.code,
      error: failure.message,
      status: status ?? 'lost',
    });
    return { taskId: task.id, status: status ?? 'lost', error: failure.message };
  }
}
