import type { MirrorBackoff } from '../../db/mirror-queue.ts';
import type { Sql } from '../../db/sql.ts';
import type { Logger } from '../../log.ts';
import type { SalesforceGateway } from '../../salesforce/gateway.ts';
import { mirrorPendingTasks } from './mirror.ts';

/**
 * Copies what an AI task changed to Salesforce Tasks as soon as it settles (its own Task, and any task the processor
 * added to the plan), instead of leaving it to the background sweep. Plans whose tasks settle while a mirror is in
 * flight go together in the next round, so a burst of completions costs one upsert per plan, not one per task. Tasks
 * still backing off after a failed copy wait for their retry time, as the sweep's would. A failure only logs: the
 * tasks stay pending and the sweep retries them after the backoff. `then` runs after each round (the service
 * sends the notifications the run produced).
 */
export class MirrorAfterRun {
  private waiting = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly parts: { sql: Sql; salesforce: SalesforceGateway; log: Logger; backoff: MirrorBackoff; then?: () => Promise<unknown> },
  ) {}

  /** Asks for the plan's pending tasks to be mirrored now. */
  request(planId: string): void {
    this.waiting.add(planId);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves when every requested mirror has run (for a graceful stop and for tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    const { sql, salesforce, log, backoff } = this.parts;
    while (this.waiting.size > 0) {
      const planIds = [...this.waiting];
      this.waiting.clear();
      for (const planId of planIds) {
        await mirrorPendingTasks(sql, salesforce, log, { planId }, backoff).catch((err: Error) =>
          log.warn('salesforce mirror after an ai task deferred to the sweep', { planId, error: err.message }),
        );
      }
      // What the run and the mirror told the CSM (a task failed for good, a Task rejected) reaches Salesforce too.
      await this.parts.then?.().catch((err: Error) => log.warn('salesforce notifications deferred to the sweep', { error: err.message }));
    }
  }
}
