import { completeAndClaim, type ClaimedTask, type NextClaim } from '../db/queue.ts';
import type { Sql } from '../db/sql.ts';

interface CompletionGroupOptions {
  /**
   * How many tasks could still join the next write: those running in this worker whose outcome is not yet written (the
   * executor's in-flight tasks, less the ones waiting here). When it is 0 the write goes at once (one event-loop turn).
   */
  stillRunning?: () => number;
  /** While other tasks still run, how long the first success waits for them to join its write (milliseconds). */
  maxWaitMs?: number;
  /**
   * The worker's next claim, asked as a write starts, given how many tasks it completes: it rides on the completion
   * statement (`completeAndClaim`), so a worker whose tasks end takes the next ones without a round trip of its own.
   * Undefined: the write claims nothing.
   */
  next?: (completing: number) => NextClaim | undefined;
  /** The tasks a write claimed (`asked`: its limit), handed over before the completed tasks' callers are answered. */
  claimed?: (tasks: ClaimedTask[], asked: number) => void;
}

/**
 * Group commit for successes: the first completion is written after one event-loop turn (so the tasks of a batch
 * that finish together share it) or, while other tasks of this worker still run (`stillRunning`), after at most
 * `maxWaitMs`, or at once when the last of them joins; those that finish while that write is in flight go together
 * in the next statement. Under load one write serves a whole batch; alone, a task waits one turn. Each task still
 * completes only under its own claim token. A write may also claim the worker's next tasks (`next`).
 */
export class CompletionGroup {
  private waiting: { task: ClaimedTask; result: unknown; settle: (kept: boolean) => void; fail: (err: unknown) => void }[] = [];
  private writing = false;
  /** A write that also claims is in flight (the worker's own claim loop waits for it: one claim at a time). */
  private claimingNow = false;
  /** Successes handed over and not yet answered (waiting, or in the write in flight). */
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly options: CompletionGroupOptions = {},
  ) {}

  /** True while a write that also claims the worker's next tasks is in flight. */
  get claiming(): boolean {
    return this.claimingNow;
  }

  /** Successes handed to the group and not yet answered. */
  get inProgress(): number {
    return this.pending;
  }

  /** Resolves true when the success was recorded, false when the claim no longer held. */
  complete(task: ClaimedTask, result: unknown): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.waiting.push({ task, result, settle, fail });
      this.pending += 1;
      if (this.writing) return;
      const others = this.options.stillRunning?.() ?? 0;
      if (others > 0 && this.options.maxWaitMs) {
        // Others may finish in a moment: wait for them (at most maxWaitMs), so one statement records them all.
        this.timer ??= setTimeout(() => this.start(), this.options.maxWaitMs);
      } else {
        // Wait one turn of the event loop: tasks of a batch that finish together go in the first statement too.
        this.immediate ??= setImmediate(() => this.start());
      }
    });
  }

  private start(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    if (this.writing) return;
    this.writing = true;
    void this.flush();
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      const next = this.options.next?.(batch.length);
      this.claimingNow = next !== undefined;
      try {
        const { done, claimed } = await completeAndClaim(this.sql, batch, next).finally(() => (this.claimingNow = false));
        if (next) this.options.claimed?.(claimed, next.limit);
        for (const item of batch) item.settle(done.has(item.task.id));
      } catch (err) {
        for (const item of batch) item.fail(err);
      }
      this.pending -= batch.length;
    }
    this.writing = false;
  }
}
