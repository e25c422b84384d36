import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { ChangeEventSchema, type ChangeEvent } from './change-event.ts';

/**
 * The official proto (CC0, forcedotcom/pub-sub-api), kept once beside the org emulator that serves it; the build copies
 * it to the same relative place.
 */
const PROTO = fileURLToPath(new URL('../../../../dev/org-emulator/pubsub/pubsub_api.proto', import.meta.url));

/** The error code Salesforce puts in the trailers when a replay id is invalid or outside the 72-hour retention. */
const REPLAY_ID_INVALID = 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted';

/** What the Pub/Sub API's three metadata headers carry: the integration user's session and its org. */
export interface PubSubAuth {
  accessToken: string;
  instanceUrl: string;
  tenantId: string;
}

export interface PubSubEndpoint {
  /** host:port, e.g. api.pubsub.salesforce.com:7443 */
  address: string;
  /** TLS (Salesforce) or plaintext (the local org emulator only). */
  tls: boolean;
}

export type ReplayFrom = { preset: 'LATEST' } | { preset: 'EARLIEST' } | { preset: 'CUSTOM'; replayId: Buffer };

/** One received event, decoded. */
export interface ReceivedEvent {
  replayId: Buffer;
  event: ChangeEvent;
}

/** A failed RPC, classified the way a subscriber acts on it. */
export class PubSubError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'PubSubError';
  }

  /** The stored replay id can no longer be used: resubscribe from elsewhere (and catch up by other means). */
  get replayIdInvalid(): boolean {
    return this.errorCode === REPLAY_ID_INVALID;
  }
}

interface FetchResponse {
  events: { event: { schema_id: string; payload: Buffer }; replay_id: Buffer }[];
  latest_replay_id: Buffer;
  pending_num_requested: number;
}

type PubSubStub = grpc.Client & {
  GetTopic(
    req: object,
    md: grpc.Metadata,
    cb: (err: grpc.ServiceError | null, res: { schema_id: string; can_subscribe: boolean }) => void,
  ): void;
  GetSchema(req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: { schema_json: string }) => void): void;
  Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<object, FetchResponse>;
};

const toPubSubError = (err: grpc.ServiceError) =>
  new PubSubError(err.details || err.message, err.code, err.metadata?.get('error-code')[0]?.toString());

/**
 * A Salesforce Pub/Sub API client (gRPC through @grpc/grpc-js on the official proto, Avro through avsc): topics, schemas
 * cached by id, and subscriptions with flow control. Every call authenticates with the session `auth` gives at that
 * moment, so a token the Salesforce connection renewed is used from the next call on.
 */
export class PubSubClient {
  private readonly stub: PubSubStub;
  private readonly schemas = new Map<string, Promise<ChangeEventSchema>>();

  constructor(
    endpoint: PubSubEndpoint,
    private readonly auth: () => Promise<PubSubAuth>,
  ) {
    const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } } };
    const credentials = endpoint.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    this.stub = new pkg.eventbus.v1.PubSub(endpoint.address, credentials) as unknown as PubSubStub;
  }

  /** The topic's current schema id; fails when the topic does not exist or Change Data Capture is off for it. */
  async getTopic(topicName: string): Promise<{ schemaId: string; canSubscribe: boolean }> {
    const md = await this.metadata();
    return new Promise((resolve, reject) =>
      this.stub.GetTopic({ topic_name: topicName }, md, (err, res) =>
        err ? reject(toPubSubError(err)) : resolve({ schemaId: res.schema_id, canSubscribe: res.can_subscribe }),
      ),
    );
  }

  /** The schema with this id, fetched once (schema ids change only when the schema does). */
  schema(schemaId: string): Promise<ChangeEventSchema> {
    let schema = this.schemas.get(schemaId);
    if (!schema) {
      schema = this.metadata().then(
        (md) =>
          new Promise<ChangeEventSchema>((resolve, reject) =>
            this.stub.GetSchema({ schema_id: schemaId }, md, (err, res) =>
              err ? reject(toPubSubError(err)) : resolve(new ChangeEventSchema(res.schema_json)),
            ),
          ),
      );
      // A failed fetch is not cached: the next event asks again.
      schema.catch(() => this.schemas.delete(schemaId));
      this.schemas.set(schemaId, schema);
    }
    return schema;
  }

  /**
   * Subscribes to a topic and hands each batch to `onBatch`, one batch at a time, in order. Flow control: `batchSize`
   * events are requested, and more only when all of those were handled, so a slow handler holds the server back
   * instead of buffering. `onKeepalive` gets the latest replay id of an empty keepalive response. Resolves when `stop`
   * is called and the batch in hand is handled; rejects with a PubSubError when the stream fails.
   */
  subscribe(
    topicName: string,
    from: ReplayFrom,
    batchSize: number,
    handlers: { onBatch(events: ReceivedEvent[]): Promise<void>; onKeepalive?(latestReplayId: Buffer): Promise<void> },
  ): { done: Promise<void>; stop(): void } {
    let call: grpc.ClientDuplexStream<object, FetchResponse> | undefined;
    let stopped = false;
    const done = this.metadata().then(
      (md) =>
        new Promise<void>((resolve, reject) => {
          if (stopped) return resolve();
          const stream = (call = this.stub.Subscribe(md));
          let outstanding = batchSize;
          let chain = Promise.resolve();
          let failed = false;
          const fail = (err: Error) => {
            if (failed || stopped) return;
            failed = true;
            stream.cancel();
            reject(err);
          };
          stream.on('data', (res: FetchResponse) => {
            chain = chain
              .then(async () => {
                if (failed || stopped) return;
                if (res.events.length === 0) {
                  if (res.latest_replay_id?.length) await handlers.onKeepalive?.(res.latest_replay_id);
                  return;
                }
                const events: ReceivedEvent[] = [];
                for (const e of res.events)
                  events.push({ replayId: e.replay_id, event: (await this.schema(e.event.schema_id)).decode(e.event.payload) });
                await handlers.onBatch(events);
                outstanding -= res.events.length;
                if (outstanding <= 0 && !stopped) {
                  outstanding = batchSize;
                  stream.write({ num_requested: batchSize });
                }
              })
              .catch(fail);
          });
          // Stopping waits for the batch being handled, so its replay id is stored before `done` resolves.
          const drained = () => void chain.then(() => resolve());
          stream.on('error', (err: grpc.ServiceError) => {
            if (stopped && err.code === grpc.status.CANCELLED) return drained();
            fail(toPubSubError(err));
          });
          stream.on('end', () =>
            stopped ? drained() : fail(new PubSubError('the server ended the subscription', grpc.status.UNAVAILABLE, undefined)),
          );
          stream.write({
            topic_name: topicName,
            replay_preset: from.preset,
            ...(from.preset === 'CUSTOM' ? { replay_id: from.replayId } : {}),
            num_requested: batchSize,
          });
        }),
    );
    return {
      done,
      stop() {
        stopped = true;
        call?.cancel();
      },
    };
  }

  close(): void {
    this.stub.close();
  }

  private async metadata(): Promise<grpc.Metadata> {
    const { accessToken, instanceUrl, tenantId } = await this.auth();
    const md = new grpc.Metadata();
    md.set('accesstoken', accessToken);
    md.set('instanceurl', instanceUrl);
    md.set('tenantid', tenantId);
    return md;
  }
}
