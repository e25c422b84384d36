import { LRUCache } from 'lru-cache';
import { schedule, type ScheduledTask } from 'node-cron';
import type { ProcessorRegistry } from '../../../processors/registry.ts';
import { claimQueuedTasks, extendLeases, recoverExpiredLeases, releaseTasks, type ClaimedTask, type NextClaim } from '../db/queue.ts';
import type { Database } from '../db/sql.ts';
import { AI_TASKS_QUEUED } from '../db/task-queue-state.ts';
import { ExecutorMetrics } from './metrics.ts';
import type { ExecutorOptions } from './options.ts';
import { runClaimedTask, type RunOutcome } from './run-task.ts';
import { CompletionGroup } from './completions.ts';
import type { ExecutorServices } from './services.ts';
import { taskContext } from '../db/processor-port.ts';
import { inSpan, linkTo } from '../tracing.ts';

interface ExecutorParts {
  db: Pick<Database, 'sql'>;
  registry: ProcessorRegistry;
  services: ExecutorServices;
  options: ExecutorOptions;
  metrics?: ExecutorMetrics;
  /**
   * Called when a task settles (done, or failed for good): the service mirrors its Salesforce Tasks at once. While
   * other tasks of the same plan still run here the call waits for the last of them, so tasks of a plan that run
   * together are mirrored in one round.
   */
  settled?: (task: ClaimedTask) => void;
  /** Awaited at the end of a graceful stop (the mirrors `settled` started finish first). */
  afterStop?: () => Promise<void>;
  /**
   * Milliseconds left in this process's Salesforce write pause (REQUEST_LIMIT_EXCEEDED): while it runs the executor
   * claims nothing, and tasks that meet it are deferred to its end without spending an attempt.
   */
  writePauseMs?: () => number;
}

/**
 * How long a success waits for other tasks of this worker to share its completion statement (see CompletionGroup): long
 * enough for a batch that started together to end in one statement (and claim the next batch in it), short beside any
 * real processor's run. 2 ms left most batches of 10 split in two (issue 25, docs/performance.md).
 */
const COMPLETION_WAIT_MS = 5;

/**
 * Claims and runs AI tasks. Woken by LISTEN/NOTIFY, by a node-cron tick and the lease sweep that guarantee progress,
 * and by its own completions while the queue has more, whose statement also claims the next tasks (`nextClaim`). Up to
 * `batchSize` tasks run at once; each holds a lease renewed while it runs.
 */
export class Executor {
  readonly metrics: ExecutorMetrics;
  private readonly inFlight = new Map<string, { task: ClaimedTask; done: Promise<RunOutcome> }>();
  /** Plans with a task settled here whose `settled` call waits for the plan's other running tasks. */
  private readonly settledPlans = new Set<string>();
  private pumping: Promise<void> | undefined;
  private wakeAgain = false;
  /** The last claim filled every free slot, so the queue probably has more: claim again as slots free up. */
  private queueHasMore = false;
  /** The claim loop stood aside for a completion write's claim (`nextClaim`), which wakes it when it is back. */
  private claimDeferred = false;
  /** The claim loop's own claim statement is out. */
  private claimOut = false;
  /** The release of tasks a completion write claimed after the stop began (see `claimed`). */
  private releasedAtStop: Promise<number> = Promise.resolve(0);
  private stopping = false;
  private started = false;
  private timers: NodeJS.Timeout[] = [];
  private pauseTimer: NodeJS.Timeout | undefined;
  private cronTask: ScheduledTask | undefined;
  private unlisten: (() => Promise<void>) | undefined;

  private readonly completions: CompletionGroup;
  /** Execution rows by id for a moment: the tasks of one finalize share one execution, read once per batch. */
  private readonly contexts = new LRUCache<string, ReturnType<typeof taskContext>>({ max: 1000, ttl: 2_000 });

  constructor(private readonly parts: ExecutorParts) {
    this.metrics = parts.metrics ?? new ExecutorMetrics();
    // A success waits up to COMPLETION_WAIT_MS for the other tasks running here, so that a batch's tasks share one
    // completion statement rather than one each as they come back a few milliseconds apart.
    this.completions = new CompletionGroup(parts.db.sql, {
      stillRunning: () => this.inFlight.size - this.completions.inProgress,
      maxWaitMs: COMPLETION_WAIT_MS,
      next: (completing) => this.nextClaim(completing),
      claimed: (tasks, asked) => {
        if (this.stopping) {
          // Claimed by a write that was out when the stop began: queued again at once, not run (stop awaits it).
          this.releasedAtStop = releaseTasks(parts.db.sql, tasks).catch((err: Error) => {
            parts.services.log.warn('release of tasks claimed during the stop failed; their lease will expire', { error: err.message });
            return 0;
          });
          return;
        }
        this.queueHasMore = tasks.length === asked;
        for (const t of tasks) void this.launch(t);
        // The claim loop stood aside while this claim was out: let it look again.
        if (this.claimDeferred) {
          this.claimDeferred = false;
          this.wake();
        }
      },
    });
  }

  /**
   * The claim a completion write carries (CompletionGroup's `next`): while the queue has more, the slots its tasks free
   * and any free now. None while the claim loop has a claim out (one claim at a time keeps the slots counted right), nor
   * when stopping, paused or only used through runOnce.
   */
  private nextClaim(completing: number): NextClaim | undefined {
    if (!this.started || this.stopping || this.claimOut || !this.queueHasMore || this.paused()) return undefined;
    const limit = this.parts.options.batchSize - (this.inFlight.size - completing);
    return limit > 0 ? { ...this.claimOptions(), limit } : undefined;
  }

  private contextOf(executionId: string): ReturnType<typeof taskContext> {
    // The lifetime is a duration on lru-cache's monotonic clock (performance.now), not business time.
    const hit = this.contexts.get(executionId);
    if (hit) return hit;
    const value = taskContext(this.parts.db.sql, executionId);
    this.contexts.set(executionId, value);
    value.catch(() => this.contexts.delete(executionId));
    return value;
  }

  get workerId(): string {
    return this.parts.options.workerId;
  }

  get running(): number {
    return this.inFlight.size;
  }

  /** Starts listening, the cron tick, the lease sweep and the heartbeat, then claims at once. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { options, db, services } = this.parts;
    // 'sweep' when the database refuses LISTEN (e.g. behind a transaction-mode connection pooler): the tick and the
    // sweep still claim, only later.
    let wakeUp: 'listen' | 'sweep' = 'listen';
    try {
      const sub = await db.sql.listen(AI_TASKS_QUEUED, () => this.wake());
      this.unlisten = () => sub.unlisten();
    } catch (err) {
      wakeUp = 'sweep';
      services.log.warn('LISTEN unavailable; queued tasks wait for the next sweep (EXECUTOR_SWEEP_SECONDS)', {
        error: (err as Error).message,
      });
    }
    this.cronTask = schedule(options.cron, () => this.tick(), { name: `executor-tick-${options.workerId}`, noOverlap: true });
    // The sweep also claims: retries whose delay has passed become due without any notification.
    this.every(options.sweepMs, () => void this.tick());
    this.every(Math.max(250, Math.floor(options.leaseMs / 3)), () => void this.heartbeat());
    services.log.info('executor started', { worker: options.workerId, batchSize: options.batchSize, wakeUp });
    await this.sweep();
    this.wake();
  }

  /** Wakes the claim loop (a notification, a poll, a tick). */
  wake(): void {
    // An executor used only through runOnce (a system cron) claims nothing on its own.
    if (this.stopping || !this.started) return;
    if (this.pumping) {
      this.wakeAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      // A wake-up that came after the loop's last look but before it ended would be lost: take it now.
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  /** The guaranteed-progress tick: recover expired leases, then claim. */
  async tick(): Promise<void> {
    await this.sweep();
    this.wake();
  }

  /** One claim-and-run cycle, for a system cron: recover leases, claim one batch, run it to the end. */
  async runOnce(): Promise<RunOutcome[]> {
    return inSpan('executor run-once', { attributes: { 'rap.worker': this.workerId } }, () => this.claimAndRunOnce());
  }

  private async claimAndRunOnce(): Promise<RunOutcome[]> {
    await this.sweep();
    if (this.paused()) return [];
    const tasks = await claimQueuedTasks(this.parts.db.sql, this.parts.options.batchSize, this.claimOptions());
    const runs = tasks.map((t) => this.launch(t));
    const heartbeat = setInterval(() => void this.heartbeat(), Math.max(250, Math.floor(this.parts.options.leaseMs / 3)));
    try {
      return await Promise.all(runs);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Graceful stop: claims nothing more at once, lets running tasks finish within the shutdown timeout, then
   * releases the ones still running (queued again, the attempt not counted). Nothing is left `running`.
   */
  async stop(timeoutMs = this.parts.options.shutdownTimeoutMs): Promise<{ finished: number; released: number }> {
    this.stopping = true;
    clearTimeout(this.pauseTimer);
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.cronTask?.destroy();
    await this.unlisten?.().catch(() => undefined);
    await this.pumping;
    const pending = [...this.inFlight.values()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(pending.map((p) => p.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    const left = [...this.inFlight.values()].map((p) => p.task);
    const released = (await releaseTasks(this.parts.db.sql, left)) + (await this.releasedAtStop);
    await this.parts.afterStop?.();
    this.parts.services.log.info('executor stopped', { worker: this.workerId, finished: pending.length - left.length, released });
    return { finished: pending.length - left.length, released };
  }

  /** True while Salesforce writes are paused; wakes the executor when the pause ends. */
  private paused(): boolean {
    const left = this.parts.writePauseMs?.() ?? 0;
    if (left <= 0) return false;
    if (!this.pauseTimer && !this.stopping) {
      this.parts.services.log.warn('executor paused: Salesforce writes are paused (API request limit); claiming resumes after the pause', {
        worker: this.workerId,
        resumeInSeconds: Math.ceil(left / 1000),
      });
      this.pauseTimer = setTimeout(() => {
        this.pauseTimer = undefined;
        this.wake();
      }, left + 10);
      this.pauseTimer.unref();
    }
    return true;
  }

  private claimOptions() {
    const { workerId, leaseMs, maxAttempts } = this.parts.options;
    return { workerId, leaseMs, maxAttempts };
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private async pump(): Promise<void> {
    const { options, db, services } = this.parts;
    try {
      do {
        this.wakeAgain = false;
        while (!this.stopping) {
          const free = options.batchSize - this.inFlight.size;
          // While the queue has more, claim when half the slots are free rather than once per freed slot: one round
          // trip then claims several tasks. Tasks in flight always finish, and each finish wakes the loop again.
          const least = this.queueHasMore ? Math.ceil(options.batchSize / 2) : 1;
          if (free < least || this.paused()) break;
          // A completion write that claims is out (CompletionGroup's `next`): one claim at a time; it wakes this loop.
          if (this.completions.claiming) {
            this.claimDeferred = true;
            break;
          }
          this.claimOut = true;
          const tasks = await claimQueuedTasks(db.sql, free, this.claimOptions()).finally(() => (this.claimOut = false));
          this.queueHasMore = tasks.length === free;
          for (const t of tasks) void this.launch(t);
          if (!this.queueHasMore) break;
        }
      } while (this.wakeAgain && !this.stopping);
    } catch (err) {
      services.log.warn('executor claim failed; will retry on the next wake-up', { worker: this.workerId, error: (err as Error).message });
    }
  }

  private launch(task: ClaimedTask): Promise<RunOutcome> {
    // One span per run, linked to the request that created the task (its stored traceparent): the operator follows a
    // CSM's finalize to the AI task that ran from it, in whichever instance and however much later.
    const attributes = { 'rap.task_id': task.id, 'rap.processor': task.processor ?? '', 'rap.attempt': task.attempts + 1 };
    const done = inSpan(`ai-task ${task.processor}`, { attributes, links: linkTo(task.traceParent) }, async (span) => {
      const outcome = await runClaimedTask(task, {
        ...this.parts,
        metrics: this.metrics,
        complete: (t, result) => this.completions.complete(t, result),
        context: (id) => this.contextOf(id),
      });
      span.setAttribute('rap.execution_status', outcome.status);
      return outcome;
    })
      .catch((err: Error): RunOutcome => {
        // Only a database failure while recording the outcome lands here; the lease sweep will recover the task.
        this.parts.services.log.error('ai task outcome not recorded', { taskId: task.id, error: err.message });
        return { taskId: task.id, status: 'lost', error: err.message };
      })
      .then((outcome) => {
        // A retry is due after the (jittered, at most +20%) delay, a deferral after the pause: wake then rather than
        // at the next sweep.
        if (outcome.status === 'queued' && !this.stopping) {
          const t = setTimeout(() => this.wake(), (outcome.deferredMs ?? Math.ceil(this.parts.options.retryDelayMs * 1.2)) + 10);
          t.unref();
        }
        if (outcome.status === 'success' || outcome.status === 'failed') this.settledPlans.add(task.actionPlanId);
        return outcome;
      })
      .finally(() => {
        this.inFlight.delete(task.id);
        // The plan's last task running here has finished: mirror what its settled tasks changed in one round.
        const plan = task.actionPlanId;
        if (this.settledPlans.has(plan) && ![...this.inFlight.values()].some((p) => p.task.actionPlanId === plan)) {
          this.settledPlans.delete(plan);
          this.parts.settled?.(task);
        }
        if (this.queueHasMore) this.wake();
      });
    this.inFlight.set(task.id, { task, done });
    return done;
  }

  private async sweep(): Promise<void> {
    try {
      const { requeued, failed } = await recoverExpiredLeases(this.parts.db.sql);
      if (requeued + failed > 0) {
        this.metrics.recovered.inc(requeued + failed);
        this.parts.services.log.warn('recovered tasks whose lease expired', { requeued, failed, worker: this.workerId });
        this.queueHasMore = true;
      }
    } catch (err) {
      this.parts.services.log.warn('lease sweep failed', { error: (err as Error).message });
    }
  }

  private async heartbeat(): Promise<void> {
    const claims = [...this.inFlight.values()].map((p) => p.task);
    if (claims.length === 0) return;
    await extendLeases(this.parts.db.sql, claims, this.parts.options.leaseMs).catch((err: Error) =>
      this.parts.services.log.warn('lease renewal failed', { error: err.message }),
    );
  }
}
