// Local Salesforce org emulator (not Salesforce): the Pub/Sub API (gRPC, the official pubsub_api.proto) over the
// org's change event bus: GetTopic, GetSchema and Subscribe with flow control and replay. Plaintext on 127.0.0.1;
// Salesforce serves it over TLS only.

import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { sameId } from '../ids.ts';
import type { Org } from '../org.ts';
import type { BusEvent, EventBus } from './event-bus.ts';

/** The proto, shared with the service's subscriber. */
export const PUBSUB_PROTO = fileURLToPath(new URL('./pubsub_api.proto', import.meta.url));

/** "The maximum number of events returned in a FetchResponse is 100" (Pub/Sub API, Flow Control); more is capped. */
const MAX_REQUESTED = 100;

// Error codes of the Pub/Sub API's trailers (Pub/Sub API guide, "Handle Errors" and "Retry Long-Lived RPC Calls").
export const ERROR_CODES = {
  replayIdInvalid: 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
  auth: 'sfdc.platform.eventbus.grpc.service.auth.error',
  topicNotFound: 'sfdc.platform.eventbus.grpc.service.topic.not.found',
  schemaNotFound: 'sfdc.platform.eventbus.grpc.service.schema.not.found',
  badRequest: 'sfdc.platform.eventbus.grpc.subscription.fetch.invalid.request',
};

interface FetchRequest {
  topic_name: string;
  replay_preset: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id: Buffer;
  num_requested: number;
}

/** A replay id is the bus position as 8 bytes, big-endian: opaque to clients, as Salesforce's are. */
const replayIdOf = (position: bigint): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(position);
  return bytes;
};

/** A gRPC error as the Pub/Sub API sends it: status, message ending in the rpc id, error-code and rpc-id trailers. */
function pubsubError(code: grpc.status, errorCode: string, message: string): grpc.ServiceError {
  const rpcId = randomUUID();
  const metadata = new grpc.Metadata();
  metadata.set('error-code', errorCode);
  metadata.set('rpc-id', rpcId);
  return Object.assign(new Error(message), { code, details: `${message} rpcId: ${rpcId}`, metadata });
}

/** The integration user the three metadata headers name, or an UNAUTHENTICATED error. */
function authenticate(org: Org, metadata: grpc.Metadata): grpc.ServiceError | undefined {
  const header = (name: string) => String(metadata.get(name)[0] ?? '');
  const token = header('accesstoken');
  const userId = token ? org.tokens.authenticate(`Bearer ${token}`) : undefined;
  const instanceOk = header('instanceurl').replace(/\/+$/, '') === org.url;
  const tenantOk = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(header('tenantid')) && sameId(header('tenantid'), org.orgId);
  if (userId && instanceOk && tenantOk) return undefined;
  return pubsubError(
    grpc.status.UNAUTHENTICATED,
    ERROR_CODES.auth,
    'Authentication failed: accesstoken, instanceurl and tenantid must name a valid session of this org.',
  );
}

/** The object behind a change data capture topic, when Change Data Capture is enabled for it. */
function topicObject(org: Org, bus: EventBus, topic: string) {
  const name = /^\/data\/(\w+)ChangeEvent$/.exec(topic)?.[1];
  const object = name ? org.store.schema.find(name) : undefined;
  return object && bus.selected.has(object.name) ? object : undefined;
}

const topicNotFound = (topic: string) =>
  pubsubError(
    grpc.status.NOT_FOUND,
    ERROR_CODES.topicNotFound,
    `Topic ${JSON.stringify(topic)} not found or Change Data Capture is not enabled for it.`,
  );

/** Starts the Pub/Sub API server for an org on 127.0.0.1 (`port` 0 picks one). */
export async function startPubSubServer(
  org: Org,
  bus: EventBus,
  opts: { port?: number; keepaliveMs?: number } = {},
): Promise<{ address: string; close(): Promise<void> }> {
  const definition = protoLoader.loadSync(PUBSUB_PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } } };
  const server = new grpc.Server();
  const subscriptions = new Set<() => void>();
  const unimplemented = (_call: unknown, callback: (err: grpc.ServiceError) => void) =>
    callback(pubsubError(grpc.status.UNIMPLEMENTED, ERROR_CODES.badRequest, 'Not served by the local org emulator.'));

  server.addService(pkg.eventbus.v1.PubSub.service, {
    GetTopic(call: grpc.ServerUnaryCall<{ topic_name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const denied = authenticate(org, call.metadata);
      if (denied) return callback(denied);
      const object = topicObject(org, bus, call.request.topic_name);
      if (!object) return callback(topicNotFound(call.request.topic_name));
      callback(null, {
        topic_name: call.request.topic_name,
        tenant_guid: org.orgId,
        // Change events are published by the org only.
        can_publish: false,
        can_subscribe: true,
        schema_id: bus.schemaOf(object).id,
        rpc_id: randomUUID(),
      });
    },
    GetSchema(call: grpc.ServerUnaryCall<{ schema_id: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const denied = authenticate(org, call.metadata);
      if (denied) return callback(denied);
      const schema = bus.schemaById(call.request.schema_id);
      if (!schema)
        return callback(pubsubError(grpc.status.NOT_FOUND, ERROR_CODES.schemaNotFound, `Schema ${call.request.schema_id} not found.`));
      callback(null, { schema_json: schema.json, schema_id: schema.id, rpc_id: randomUUID() });
    },
    Subscribe(call: grpc.ServerDuplexStream<FetchRequest, unknown>) {
      const denied = authenticate(org, call.metadata);
      if (denied) return void call.emit('error', denied);
      const rpcId = randomUUID();
      let topic: string | undefined;
      /** Bus position this subscription has read through. */
      let cursor = 0n;
      let pending = 0;
      let ended = false;
      const fail = (err: grpc.ServiceError) => {
        if (ended) return;
        ended = true;
        stop();
        call.emit('error', err);
      };
      const pump = () => {
        if (ended || !topic || pending === 0) return;
        const events = bus.after(topic, cursor).slice(0, pending);
        if (events.length === 0) return;
        pending -= events.length;
        cursor = events.at(-1)!.position;
        call.write({
          events: events.map(consumerEvent),
          latest_replay_id: replayIdOf(cursor),
          rpc_id: rpcId,
          pending_num_requested: pending,
        });
      };
      // "If no events are available, the server sends an empty FetchResponse as a keepalive … with the latest replay id".
      const keepalive = setInterval(() => {
        if (ended || !topic) return;
        if (pending > 0 && bus.after(topic, cursor).length === 0) cursor = bus.window().last;
        call.write({ events: [], latest_replay_id: replayIdOf(cursor), rpc_id: rpcId, pending_num_requested: pending });
      }, opts.keepaliveMs ?? 270_000);
      keepalive.unref();
      const unsubscribe = bus.onPublish(() => setImmediate(pump));
      const stop = () => {
        clearInterval(keepalive);
        unsubscribe();
        subscriptions.delete(close);
      };
      const close = () => {
        if (!ended) fail(pubsubError(grpc.status.UNAVAILABLE, ERROR_CODES.badRequest, 'The server is shutting down.'));
      };
      subscriptions.add(close);

      call.on('data', (request: FetchRequest) => {
        if (ended) return;
        if (!topic) {
          const object = topicObject(org, bus, request.topic_name);
          if (!object) return fail(topicNotFound(request.topic_name));
          const start = startPosition(bus, request);
          if (start === undefined)
            return fail(
              pubsubError(
                grpc.status.INVALID_ARGUMENT,
                ERROR_CODES.replayIdInvalid,
                'The Replay ID validation failed. Ensure that the Replay ID is valid and within the 72-hour retention window.',
              ),
            );
          topic = request.topic_name;
          cursor = start;
        } else if (request.topic_name && request.topic_name !== topic) {
          return fail(pubsubError(grpc.status.INVALID_ARGUMENT, ERROR_CODES.badRequest, 'A subscription serves one topic.'));
        }
        if (!(request.num_requested > 0))
          return fail(pubsubError(grpc.status.INVALID_ARGUMENT, ERROR_CODES.badRequest, 'num_requested must be greater than 0.'));
        pending = Math.min(MAX_REQUESTED, pending + request.num_requested);
        pump();
      });
      call.on('end', () => {
        if (ended) return;
        ended = true;
        stop();
        call.end();
      });
      call.on('cancelled', () => {
        ended = true;
        stop();
      });
    },
    Publish: unimplemented,
    PublishStream: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
      call.emit('error', pubsubError(grpc.status.UNIMPLEMENTED, ERROR_CODES.badRequest, 'Not served by the local org emulator.')),
    ManagedSubscribe: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
      call.emit('error', pubsubError(grpc.status.UNIMPLEMENTED, ERROR_CODES.badRequest, 'Not served by the local org emulator.')),
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const close of [...subscriptions]) close();
        server.tryShutdown(() => resolve());
        // Streams a client keeps open would hold tryShutdown; they were all ended above.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}

/**
 * Where a subscription starts, as a bus position it has read through: LATEST after the last event, EARLIEST before the
 * first retained one, CUSTOM after the given event, which must still be retained (undefined when it is not: purged,
 * never given, or not a replay id at all).
 */
function startPosition(bus: EventBus, request: FetchRequest): bigint | undefined {
  const { first, last } = bus.window();
  if (request.replay_preset === 'LATEST') return last;
  if (request.replay_preset === 'EARLIEST') return first - 1n;
  const bytes = request.replay_id;
  if (!bytes || bytes.length !== 8) return undefined;
  const position = bytes.readBigUInt64BE();
  return position >= first && position <= last ? position : undefined;
}

function consumerEvent(event: BusEvent) {
  return { event: { id: event.id, schema_id: event.schemaId, payload: event.payload, headers: [] }, replay_id: replayIdOf(event.position) };
}
