import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How the service learns of changes made in Salesforce: pushed change events, or its own poll. */
type SyncMode = 'stream' | 'poll';

/** The state of one change event channel's subscription. */
interface ChannelState {
  state: 'off' | 'connecting' | 'streaming' | 'down';
  /** Why it is down (the last error), for /readyz and the logs. */
  error?: string;
}

/**
 * Which mode the Salesforce sync runs in, and why: read by /readyz and /metrics, written by the subscriber. Stream
 * mode needs every channel streaming; anything else (connection lost, Change Data Capture not enabled for an object,
 * an edition without it, SF_PUBSUB=off) is poll mode, where the poll runs at the short interval.
 */
export class SyncStatus {
  readonly channels = new Map<string, ChannelState>();
  /** Set when the stream is off by configuration (SF_PUBSUB=off) or not configured. */
  disabled: string | undefined = 'not started';

  get mode(): SyncMode {
    if (this.disabled !== undefined || this.channels.size === 0) return 'poll';
    return [...this.channels.values()].every((c) => c.state === 'streaming') ? 'stream' : 'poll';
  }

  /** What /readyz shows. */
  describe(): { mode: SyncMode; reason?: string; channels: Record<string, ChannelState> } {
    return {
      mode: this.mode,
      ...(this.disabled !== undefined ? { reason: this.disabled } : {}),
      channels: Object.fromEntries(this.channels),
    };
  }
}

/** The change subscriber's Prometheus metrics, in a registry of their own (several subscribers in one test process). */
export class ChangeEventMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({
    name: 'rap_salesforce_change_events_total',
    help: 'Change events received from the Pub/Sub API, per channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly lag = new Histogram({
    name: 'rap_salesforce_change_lag_seconds',
    help: "From a change's commit in Salesforce (commitTimestamp) to its event applied here",
    labelNames: ['channel'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'rap_salesforce_change_replay_fallbacks_total',
    help: 'Stored replay ids Salesforce no longer had (older than the retention): a full catch-up by the poll followed',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
}

/** The process's change event metrics, shared by the subscriber and /metrics. */
export const sharedChangeEventMetrics = new ChangeEventMetrics();

/** The sync mode as a gauge (1 for the mode running), read from the status at scrape time (none without a sync loop). */
export function syncModeGauge(status: () => SyncStatus | undefined, registry: Registry): Gauge<'mode'> {
  return new Gauge({
    name: 'rap_salesforce_sync_mode',
    help: 'How Salesforce changes reach the service: stream (change events) or poll',
    labelNames: ['mode'] as const,
    registers: [registry],
    collect() {
      const mode = status()?.mode;
      if (mode) for (const m of ['stream', 'poll'] as const) this.set({ mode: m }, mode === m ? 1 : 0);
    },
  });
}
