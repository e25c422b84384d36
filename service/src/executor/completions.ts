import { completeTasks, type ClaimedTask } from '../db/queue.ts';
import type { Sql } from '../db/sql.ts';

/**
 * Group commit for successes: the first completion is written after one event-loop turn (so the tasks of a batch
 * that finish together share it); those that finish while that write is in flight go together in the next
 * statement. Under load one write serves a whole batch; alone, a task waits one turn. Each task still completes only
 * under its own claim token.
 */
export class CompletionGroup {
  private waiting: { task: ClaimedTask; result: unknown; settle: (kept: boolean) => void; fail: (err: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly sql: Sql) {}

  /** Resolves true when the success was recorded, false when the claim no longer held. */
  complete(task: ClaimedTask, result: unknown): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.waiting.push({ task, result, settle, fail });
      if (!this.writing) {
        // Wait one turn of the event loop: tasks of a batch that finish together go in the first statement too.
        this.writing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        const kept = await completeTasks(this.sql, batch);
        for (const item of batch) item.settle(kept.has(item.task.id));
      } catch (err) {
        for (const item of batch) item.fail(err);
      }
    }
    this.writing = false;
  }
}
