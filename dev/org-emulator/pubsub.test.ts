// Local Salesforce org emulator (not Salesforce): the Pub/Sub API and Change Data Capture, through a real gRPC client
// (@grpc/grpc-js on the official proto) and a real Avro decoder (avsc).

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { ERROR_CODES, PUBSUB_PROTO } from './pubsub/grpc-server.ts';
import { connect, TODAY } from './test-support.ts';

const { opportunities: opp } = DEMO_IDS;
const TASKS = '/data/TaskChangeEvent';
const OPPORTUNITIES = '/data/OpportunityChangeEvent';

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
interface FetchResponse {
  events: { event: { schema_id: string; payload: Buffer }; replay_id: Buffer }[];
  latest_replay_id: Buffer;
  pending_num_requested: number;
}

let org: OrgEmulator;
let conn: Connection;
let client: Client;

beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY, pubsubPort: 0, accessToken: 'the-token' });
  conn = connect(org, 'the-token');
  const definition = protoLoader.loadSync(PUBSUB_PROTO, { keepCase: true, longs: String, enums: String, defaults: true });
  const { PubSub } = (grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } } })
    .eventbus.v1;
  client = new PubSub(org.pubsubAddress!, grpc.credentials.createInsecure()) as unknown as Client;
});
afterEach(async () => {
  client.close();
  await org.close();
});

const auth = (overrides: Record<string, string> = {}) => {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries({ accesstoken: 'the-token', instanceurl: org.url, tenantid: org.orgId, ...overrides }))
    metadata.set(k, v);
  return metadata;
};

const unary = <T>(method: string, request: unknown, metadata = auth()) =>
  new Promise<T>((resolve, reject) =>
    client[method]!(request, metadata, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))),
  );

/** Subscribes and collects responses; `take(n)` waits for n events in all. */
function subscribe(first: Record<string, unknown>, metadata = auth()) {
  const call = client.Subscribe!(metadata) as grpc.ClientDuplexStream<unknown, FetchResponse>;
  const responses: FetchResponse[] = [];
  const waiters: (() => void)[] = [];
  let error: grpc.ServiceError | undefined;
  call.on('data', (r: FetchResponse) => {
    responses.push(r);
    waiters.splice(0).forEach((w) => w());
  });
  call.on('error', (e: grpc.ServiceError) => {
    error = e;
    waiters.splice(0).forEach((w) => w());
  });
  call.write(first);
  const events = () => responses.flatMap((r) => r.events);
  const until = async (done: () => boolean) => {
    while (!done() && !error) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    call,
    responses,
    events,
    take: async (n: number) => {
      await until(() => events().length >= n);
      if (error) throw error;
      return events();
    },
    failure: async () => {
      await until(() => false);
      return error!;
    },
    end: () => call.cancel(),
  };
}

async function decoder(schemaId: string) {
  const info = await unary<{ schema_json: string }>('GetSchema', { schema_id: schemaId });
  return avro.Type.forSchema(JSON.parse(info.schema_json));
}

/** Field names of a changedFields bitmap: bit i is the schema's field i. */
function bitmapFields(type: avro.Type, bitmap: string[]): string[] {
  const fields = (type as unknown as { fields: { name: string }[] }).fields;
  const bits = BigInt(bitmap[0]!);
  return fields.filter((_, i) => (bits >> BigInt(i)) & 1n).map((f) => f.name);
}

describe('Pub/Sub API of the org emulator', () => {
  it('GetTopic and GetSchema describe the change event channels of Task and Opportunity', async () => {
    const topic = await unary<{ schema_id: string; can_subscribe: boolean; can_publish: boolean; tenant_guid: string }>('GetTopic', {
      topic_name: TASKS,
    });
    expect(topic).toMatchObject({ can_subscribe: true, can_publish: false, tenant_guid: org.orgId });
    const type = await decoder(topic.schema_id);
    const fields = (type as unknown as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(fields[0]).toBe('ChangeEventHeader');
    expect(fields).toEqual(expect.arrayContaining(['Status', 'WhatId', 'Action_Plan_Task_Id__c', 'LastModifiedDate']));
    expect(fields).not.toContain('IsClosed'); // formula fields are not in change events
    await expect(unary('GetTopic', { topic_name: OPPORTUNITIES })).resolves.toMatchObject({ can_subscribe: true });
  });

  it('refuses calls without a valid accesstoken, instanceurl and tenantid (UNAUTHENTICATED)', async () => {
    const bad: Record<string, string>[] = [
      { accesstoken: 'wrong' },
      { instanceurl: 'https://elsewhere.my.salesforce.com' },
      { tenantid: '00D000000000999' },
    ];
    for (const headers of bad) {
      const err = (await unary('GetTopic', { topic_name: TASKS }, auth(headers)).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(err.metadata.get('error-code')).toEqual([ERROR_CODES.auth]);
    }
    const stream = subscribe({ topic_name: TASKS, replay_preset: 'LATEST', num_requested: 1 }, auth({ accesstoken: '' }));
    expect((await stream.failure()).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('a topic of an object without Change Data Capture is NOT_FOUND', async () => {
    const err = (await unary('GetTopic', { topic_name: '/data/AccountChangeEvent' }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.NOT_FOUND);
  });

  it("the org's own writes become Avro change events with the documented header and a changedFields bitmap", async () => {
    const created = await conn.sobject('Task').create({ Subject: 'Call Acme', WhatId: opp.acme, Status: 'Not Started' });
    await conn.sobject('Task').update({ Id: created.id!, Status: 'Completed', Description: null });
    const stream = subscribe({ topic_name: TASKS, replay_preset: 'EARLIEST', num_requested: 10 });
    const [create, update] = await stream.take(2);
    const type = await decoder(update!.event.schema_id);
    const body = type.fromBuffer(update!.event.payload) as Record<string, unknown> & { ChangeEventHeader: Record<string, unknown> };
    expect(body.ChangeEventHeader).toMatchObject({ entityName: 'Task', recordIds: [created.id], changeType: 'UPDATE', sequenceNumber: 1 });
    expect(bitmapFields(type, body.ChangeEventHeader.changedFields as string[]).sort()).toEqual(['LastModifiedDate', 'Status']);
    expect(body.Status).toBe('Completed');
    expect(body.Subject).toBeNull(); // unchanged fields are null in an update event
    const header = (type.fromBuffer(create!.event.payload) as { ChangeEventHeader: Record<string, unknown> }).ChangeEventHeader;
    expect(header).toMatchObject({ changeType: 'CREATE', changedFields: [], commitUser: DEMO_IDS.users.alexAdmin });
    expect(Number(header.commitTimestamp)).toBeGreaterThanOrEqual(TODAY.getTime());
    stream.end();
  });

  it('delivers no more events than num_requested until the client asks again (flow control)', async () => {
    for (const subject of ['a', 'b', 'c']) await conn.sobject('Task').create({ Subject: subject, WhatId: opp.acme });
    const stream = subscribe({ topic_name: TASKS, replay_preset: 'EARLIEST', num_requested: 1 });
    await stream.take(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.events()).toHaveLength(1);
    expect(stream.responses.at(-1)!.pending_num_requested).toBe(0);
    stream.call.write({ num_requested: 5 });
    expect(await stream.take(3)).toHaveLength(3);
    stream.end();
  });

  it('LATEST starts after the last event; an idle subscription gets keepalives carrying the latest replay id', async () => {
    await org.close();
    org = await startDemoOrg({ today: TODAY, pubsubPort: 0, accessToken: 'the-token', pubsubKeepaliveMs: 20 });
    conn = connect(org, 'the-token');
    client.close();
    client = new (client.constructor as new (address: string, creds: grpc.ChannelCredentials) => Client)(
      org.pubsubAddress!,
      grpc.credentials.createInsecure(),
    );
    await conn.sobject('Task').create({ Subject: 'before', WhatId: opp.acme });
    const stream = subscribe({ topic_name: TASKS, replay_preset: 'LATEST', num_requested: 10 });
    while (stream.responses.length === 0) await new Promise((resolve) => setTimeout(resolve, 10)); // a keepalive: subscribed
    expect(stream.responses[0]!.events).toEqual([]);
    const created = await conn.sobject('Task').create({ Subject: 'after', WhatId: opp.acme });
    const [event] = await stream.take(1);
    const type = await decoder(event!.event.schema_id);
    expect((type.fromBuffer(event!.event.payload) as { ChangeEventHeader: { recordIds: string[] } }).ChangeEventHeader.recordIds).toEqual([
      created.id,
    ]);
    expect(event!.replay_id.readBigUInt64BE()).toBeGreaterThan(stream.responses[0]!.latest_replay_id.readBigUInt64BE());
    stream.end();
  });

  it('replays after a stored replay id (CUSTOM) and from the oldest retained event (EARLIEST)', async () => {
    for (const subject of ['one', 'two', 'three']) await conn.sobject('Task').create({ Subject: subject, WhatId: opp.acme });
    const all = await subscribe({ topic_name: TASKS, replay_preset: 'EARLIEST', num_requested: 10 }).take(3);
    const after = subscribe({ topic_name: TASKS, replay_preset: 'CUSTOM', replay_id: all[0]!.replay_id, num_requested: 10 });
    const replayed = await after.take(2);
    expect(replayed.map((e) => e.replay_id)).toEqual([all[1]!.replay_id, all[2]!.replay_id]);
    after.end();
  });

  it('keeps change events 72 hours of org time; an older replay id is INVALID_ARGUMENT replayid.corrupted', async () => {
    await conn.sobject('Task').create({ Subject: 'old', WhatId: opp.acme });
    const [old] = await subscribe({ topic_name: TASKS, replay_preset: 'EARLIEST', num_requested: 10 }).take(1);
    org.advanceClock(71 * 3600_000);
    const stillThere = subscribe({ topic_name: TASKS, replay_preset: 'CUSTOM', replay_id: old!.replay_id, num_requested: 10 });
    await conn.sobject('Task').create({ Subject: 'new', WhatId: opp.acme });
    await stillThere.take(1);
    stillThere.end();
    org.advanceClock(2 * 3600_000);
    const tooOld = subscribe({ topic_name: TASKS, replay_preset: 'CUSTOM', replay_id: old!.replay_id, num_requested: 10 });
    const err = await tooOld.failure();
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.metadata.get('error-code')).toEqual([ERROR_CODES.replayIdInvalid]);
    expect(err.details).toMatch(/rpcId: /);
    const garbage = await subscribe({
      topic_name: TASKS,
      replay_preset: 'CUSTOM',
      replay_id: Buffer.from('nope'),
      num_requested: 1,
    }).failure();
    expect(garbage.metadata.get('error-code')).toEqual([ERROR_CODES.replayIdInvalid]);
  });

  it('an allOrNone request that fails publishes no change events; one that succeeds shares one transactionKey', async () => {
    await conn.sobject('Task').create(
      [
        { Subject: 'kept?', WhatId: opp.acme },
        { Subject: 'bad', Status: 'Not a status' },
      ],
      { allOrNone: true },
    );
    await conn.sobject('Task').create(
      [
        { Subject: 'x', WhatId: opp.acme },
        { Subject: 'y', WhatId: opp.acme },
      ],
      { allOrNone: true },
    );
    const stream = subscribe({ topic_name: TASKS, replay_preset: 'EARLIEST', num_requested: 10 });
    const events = await stream.take(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.events()).toHaveLength(2);
    const type = await decoder(events[0]!.event.schema_id);
    const headers = events.map(
      (e) =>
        (type.fromBuffer(e.event.payload) as { ChangeEventHeader: { transactionKey: string; sequenceNumber: number } }).ChangeEventHeader,
    );
    expect(headers[0]!.transactionKey).toBe(headers[1]!.transactionKey);
    expect(headers.map((h) => h.sequenceNumber)).toEqual([1, 2]);
    stream.end();
  });
});
