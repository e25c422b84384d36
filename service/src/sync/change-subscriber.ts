import { clearReplay, readReplay, writeReplay } from '../db/pubsub-replay.ts';
import type { Deps } from '../deps.ts';
import { PubSubClient, PubSubError, type PubSubEndpoint, type ReceivedEvent, type ReplayFrom } from '../salesforce/pubsub/client.ts';
import { applyChangeEvents, CHANNELS, type Channel } from './change-apply.ts';
import { sharedChangeEventMetrics, type ChangeEventMetrics, type SyncStatus } from './sync-status.ts';

interface ChangeSubscriberOptions {
  endpoint: PubSubEndpoint;
  status: SyncStatus;
  /** The poll's full catch-up (completions and renewal dates), run when events were lost to us. */
  catchUp(): Promise<void>;
  /** Events requested per FetchRequest (flow control; Salesforce caps it at 100). */
  batchSize?: number;
  /** First pause before resubscribing after a failure; it doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  metrics?: ChangeEventMetrics;
}

type SubscriberDeps = Pick<Deps, 'db' | 'salesforce' | 'log' | 'today' | 'now' | 'stages' | 'env'>;

/**
 * The Change Data Capture subscriber: one subscription per channel (Task and Opportunity change events) through the
 * Pub/Sub API, as the integration user. Each batch is applied through the poll's own paths, then its last replay id is
 * stored, so a restart (or the next leader) resumes after it: events are applied at least once, and applying one twice
 * changes nothing. A stored replay id Salesforce no longer keeps (72 hours) is dropped: the subscription restarts from
 * the latest event and the poll catches up on what came before. While a channel is not streaming the status says
 * poll mode, and the sync loop polls at its short interval.
 */
export class ChangeSubscriber {
  private client: PubSubClient | undefined;
  private runs: Promise<void>[] = [];
  private readonly subscriptions = new Map<Channel, { stop(): void }>();
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: SubscriberDeps,
    private readonly opts: ChangeSubscriberOptions,
  ) {}

  get running(): boolean {
    return this.client !== undefined;
  }

  /** Subscribes to every channel (idempotent); failures are retried in the background, with backoff. */
  start(): void {
    if (this.client) return;
    this.stopped = false;
    this.opts.status.disabled = undefined;
    this.client = new PubSubClient(this.opts.endpoint, () => this.deps.salesforce.pubsubAuth());
    this.runs = Object.values(CHANNELS).map((channel) => this.run(channel));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    for (const s of this.subscriptions.values()) s.stop();
    await Promise.all(this.runs);
    this.client?.close();
    this.client = undefined;
    this.opts.status.disabled = 'not leading';
    for (const channel of Object.values(CHANNELS)) this.opts.status.channels.set(channel, { state: 'off' });
  }

  private async run(channel: Channel): Promise<void> {
    const log = this.deps.log.child({ channel });
    let failures = 0;
    let catchUpAfterSubscribing = false;
    while (!this.stopped) {
      try {
        this.opts.status.channels.set(channel, { state: 'connecting' });
        // Fails when Change Data Capture is not enabled for the object (or the edition has none): poll mode then.
        await this.client!.getTopic(channel);
        const stored = catchUpAfterSubscribing ? undefined : await readReplay(this.deps.db.sql, channel);
        const from: ReplayFrom = stored ? { preset: 'CUSTOM', replayId: stored.replayId } : { preset: 'LATEST' };
        const subscription = this.client!.subscribe(channel, from, this.opts.batchSize ?? 100, {
          onBatch: async (events) => {
            await this.apply(channel, events);
            failures = 0;
          },
          onKeepalive: async (latest) => {
            // Salesforce's advice: keep the latest replay id of keepalives, so a quiet channel's id never ages out.
            await writeReplay(this.deps.db.sql, channel, { replayId: latest, eventAt: this.deps.now() });
            failures = 0;
          },
        });
        this.subscriptions.set(channel, subscription);
        this.opts.status.channels.set(channel, { state: 'streaming' });
        log.info('salesforce change events subscribed', { from: from.preset });
        if (catchUpAfterSubscribing) {
          // Subscribed from the latest event first, then the poll reads what happened before: nothing falls between.
          catchUpAfterSubscribing = false;
          await this.opts.catchUp();
        }
        await subscription.done;
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof PubSubError && err.replayIdInvalid) {
          log.warn('stored replay id no longer valid (older than the retention?); catching up by the poll', { error: err.message });
          (this.opts.metrics ?? sharedChangeEventMetrics).fallbacks.inc({ channel });
          await clearReplay(this.deps.db.sql, channel);
          catchUpAfterSubscribing = true;
          continue;
        }
        failures += 1;
        const error = (err as Error).message;
        this.opts.status.channels.set(channel, { state: 'down', error });
        log.warn('salesforce change events unavailable; polling meanwhile', { error, attempt: failures });
        await this.pause(Math.min(this.opts.maxRetryMs ?? 300_000, (this.opts.retryMs ?? 1000) * 2 ** (failures - 1)));
      } finally {
        this.subscriptions.delete(channel);
      }
    }
  }

  /**
   * Applies one batch, then stores its last replay id (so a crash in between replays the batch, never skips it), then
   * counts and logs it as applied.
   */
  private async apply(channel: Channel, events: ReceivedEvent[]): Promise<void> {
    const metrics = this.opts.metrics ?? sharedChangeEventMetrics;
    const applied = await applyChangeEvents(
      this.deps,
      channel,
      events.map((e) => e.event),
    );
    if (applied.catchUp) await this.opts.catchUp();
    const last = events.at(-1)!;
    await writeReplay(this.deps.db.sql, channel, { replayId: last.replayId, eventAt: new Date(last.event.header.commitTimestamp) });
    const now = this.deps.now().getTime();
    for (const { event, replayId } of events) {
      metrics.received.inc({ channel });
      metrics.lag.observe({ channel }, Math.max(0, now - event.header.commitTimestamp) / 1000);
      this.deps.log.debug('salesforce change event applied', {
        channel,
        changeType: event.header.changeType,
        recordIds: event.header.recordIds,
        changedFields: event.changedFields,
        replayId: replayId.toString('hex'),
      });
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
