// Local Salesforce org emulator (not Salesforce).
// An HTTP server that speaks the slice of the Salesforce REST API that jsforce 3 uses (query, sObject rows and
// collections, OAuth JWT bearer), over an in-memory org: the standard objects, the custom fields of a Salesforce DX
// package's source, and the records of a seed. For tests, the demo and offline work.
//
// const org = await startOrgEmulator({ seed, packageSource: 'force-app/main/default', today: new Date('2026-11-25T10:00:00Z') });
// const conn = new Connection({ instanceUrl: org.url, accessToken: 'any', version: '62.0' });

import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { TokenRegistry, type JwtConfig } from './auth.ts';
import { FaultQueue, type FaultSpec } from './faults.ts';
import { salesforceId } from './ids.ts';
import type { Org, RecordedRequest } from './org.ts';
import { readPackageFields } from './package-fields.ts';
import { OrgSchema } from './schema.ts';
import { loadSeed, type SeedData } from './seed.ts';
import { AppliedShape, type OrgShape } from './shape.ts';
import { createApp } from './server.ts';
import { EventBus } from './pubsub/event-bus.ts';
import { startPubSubServer } from './pubsub/grpc-server.ts';
import { OrgStore } from './store.ts';
import { createClock } from './time.ts';
import { CommitWindow } from './transactions.ts';
import { deserialize } from './validate.ts';
import type { SentNotification } from './org.ts';

export { salesforceId } from './ids.ts';
export { parseSeed, type SeedData, type SeedRecord } from './seed.ts';
export type { FaultSpec } from './faults.ts';
export { loadShape, orgShapeSchema, type OrgShape } from './shape.ts';
export type { RecordedRequest } from './org.ts';

export interface OrgEmulatorOptions {
  /** 0 (default) picks a free port; the host is always 127.0.0.1. */
  port?: number;
  /** The org's records (at least one active User; the first active System Administrator is the default running user). */
  seed: SeedData;
  /**
   * A Salesforce DX source folder (`force-app/main/default`) deployed to the org: the custom fields in its
   * `objects/<Object>/fields/*.field-meta.xml` are fields of the org, read at start. Default: standard objects only.
   */
  packageSource?: string;
  /** Fixes "today" for relative seed dates, TODAY / LAST_N_DAYS literals and new timestamps; the clock runs on from it. */
  today?: Date;
  /** When set, only this bearer token (or tokens the emulator minted) is accepted; otherwise any non-empty one. */
  accessToken?: string;
  /** Enables POST /services/oauth2/token with the JWT bearer grant. */
  jwt?: JwtConfig;
  latencyMs?: number;
  /** Serves the Pub/Sub API (gRPC, plaintext) on this port too; 0 picks a free one. Default: not served. */
  pubsubPort?: number;
  /** Objects selected for Change Data Capture (default Task and Opportunity); [] is an org without it. */
  changeDataCapture?: string[];
  /** How often an idle subscription gets a keepalive FetchResponse (Salesforce: 270 s). */
  pubsubKeepaliveMs?: number;
  /** The org's shape (shape.ts): edition, language, features, picklists, required fields, validation rules. */
  shape?: OrgShape;
}

export interface OrgEmulator {
  /** Both the login URL and the instance URL, e.g. http://127.0.0.1:54321. */
  url: string;
  /** The org id (what the Pub/Sub API's `tenantid` header names). */
  orgId: string;
  /** `127.0.0.1:port` of the Pub/Sub API when `pubsubPort` was given. */
  pubsubAddress?: string;
  /** Moves the org's clock forward (change events older than 72 hours of it are purged). */
  advanceClock(ms: number): void;
  close(): Promise<void>;
  /** Every API request received (not the /__emulator controls). */
  requests: RecordedRequest[];
  resetRequests(): void;
  /** Makes the next `count` matching requests fail; see FaultSpec. */
  injectFault(fault: FaultSpec): void;
  /** Drops the faults not yet consumed. */
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Sets the daily API requests used so far (Sforce-Limit-Info's api-usage, /limits' DailyApiRequests). */
  setApiUsage(used: number): void;
  /** Deep copies of the live records of an sObject type. */
  records(type: string): Record<string, unknown>[];
  /** Edits a record as a user in Salesforce would: validated, LastModifiedDate and SystemModstamp move forward. */
  updateRecord(type: string, id: string, fields: Record<string, unknown>): void;
  /**
   * A user sends an email from Salesforce with Enhanced Email and open tracking on: the org logs it as a sent, tracked
   * EmailMessage (it alone sets IsTracked, then FirstOpenedDate when the recipient opens it). Returns its id.
   */
  sendEmail(fields: { Subject: string; ToAddress: string; RelatedToId: string; FromAddress?: string; TextBody?: string }): string;
  /** Every minted token becomes invalid (401 INVALID_SESSION_ID), to test re-minting. */
  expireTokens(): void;
  /** Custom notifications the org accepted (customNotificationAction), one per active recipient, oldest first. */
  notifications: SentNotification[];
  /**
   * Holds every upsert between its lookup and its write until `release()`, so concurrent upserts of one new external
   * id collide deterministically (the second fails DUPLICATE_VALUE, as in a real org). `waiting()` counts those held.
   */
  holdUpserts(): { waiting(): number; release(): void };
}

/** Starts a local Salesforce org emulator on 127.0.0.1. */
export async function startOrgEmulator(opts: OrgEmulatorOptions): Promise<OrgEmulator> {
  const schema = new OrgSchema(opts.packageSource ? readPackageFields(opts.packageSource) : {});
  const store = new OrgStore(createClock(opts.today), schema);
  const { shares, defaultUserId } = loadSeed(store, opts.seed);
  const orgId = salesforceId('00D', 1);
  const organization = {
    Id: orgId,
    Name: 'Renewal Action Plans Demo',
    InstanceName: 'LOCAL',
    OrganizationType: opts.shape?.edition ?? 'Enterprise Edition',
    DefaultLocaleSidKey: 'en_US',
    LanguageLocaleKey: opts.shape?.language ?? 'en_US',
    TimeZoneSidKey: 'GMT',
  };
  store.create(schema.objects.Organization!, deserialize(schema.objects.Organization!, organization), {
    userId: defaultUserId,
    seed: true,
  });
  // The seed names its administrator profile in English; its permission, not its name, is what grants everything.
  for (const profile of store.list('Profile').filter((p) => p.Name === 'System Administrator')) {
    store.update(schema.objects.Profile!, String(profile.Id), new Map([['PermissionsModifyAllData', true]]), {
      userId: defaultUserId,
      seed: true,
    });
  }
  if (opts.shape) {
    // Profile names in the org's language: a test that selects Profile.Name = 'Standard User' finds nothing there.
    for (const profile of store.list('Profile')) {
      const name = opts.shape.profileNames?.[String(profile.Name)];
      if (name) store.update(schema.objects.Profile!, String(profile.Id), new Map([['Name', name]]), { userId: defaultUserId, seed: true });
    }
    store.shape = new AppliedShape(opts.shape);
    for (const [type, recordTypes] of Object.entries(opts.shape.recordTypes ?? {})) {
      const sobjectType = schema.find(type)?.name;
      if (!sobjectType) throw new Error(`The shape gives record types to ${type}, an object the org emulator does not have`);
      for (const t of recordTypes) {
        const row = { Name: t.name, DeveloperName: t.developerName, SobjectType: sobjectType, IsActive: t.active ?? true };
        store.create(schema.objects.RecordType!, new Map(Object.entries(row)), { userId: defaultUserId, seed: true, system: true });
      }
    }
  }
  // TaskStatus: the org's Task Status values, which close a task and which is the default.
  const statusField = (store.shape?.objectDef(schema.objects.Task!) ?? schema.objects.Task!).fields.Status!;
  const closed = new Set(opts.shape?.picklists?.['Task.Status']?.closed ?? ['Completed']);
  for (const [i, value] of (statusField.picklistValues ?? []).entries()) {
    const row = {
      ApiName: value,
      MasterLabel: value,
      IsClosed: closed.has(value),
      IsDefault: value === statusField.defaultValue,
      SortOrder: i + 1,
    };
    store.create(schema.objects.TaskStatus!, new Map(Object.entries(row)), { userId: defaultUserId, seed: true, system: true });
  }
  const org: Org = {
    url: '',
    orgId,
    store,
    shares,
    tokens: new TokenRegistry(orgId, opts.accessToken, defaultUserId),
    faults: new FaultQueue(),
    jwt: opts.jwt,
    requests: [],
    apiUsage: 0,
    latencyMs: opts.latencyMs ?? 0,
    commits: new CommitWindow(),
    cursors: new Map(),
    notifications: [],
  };
  const server = await listen(createApp(org), opts.port ?? 0);
  org.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // After the seed: the seed is the org's past, not changes anyone could still replay.
  store.events = new EventBus(store.clock, new Set(opts.changeDataCapture ?? ['Task', 'Opportunity']));
  const pubsub =
    opts.pubsubPort === undefined
      ? undefined
      : await startPubSubServer(org, store.events, { port: opts.pubsubPort, keepaliveMs: opts.pubsubKeepaliveMs });

  const objectNamed = (type: string) => {
    const object = schema.find(type);
    if (!object) throw new Error(`The org emulator has no sObject type ${type}`);
    return object;
  };
  return {
    url: org.url,
    orgId,
    pubsubAddress: pubsub?.address,
    advanceClock: (ms) => store.clock.advance(ms),
    requests: org.requests,
    notifications: org.notifications,
    close: async () => {
      org.commits.releaseAll();
      await pubsub?.close();
      return close(server);
    },
    resetRequests: () => {
      org.requests.length = 0;
    },
    injectFault: (fault) => org.faults.add(fault),
    clearFaults: () => org.faults.clear(),
    setLatency: (ms) => {
      org.latencyMs = ms;
    },
    setApiUsage: (used) => {
      org.apiUsage = used;
    },
    records: (type) => structuredClone(store.list(objectNamed(type).name)),
    updateRecord: (type, id, fields) => {
      const object = objectNamed(type);
      const record = store.find(id, object.name);
      if (!record) throw new Error(`No live ${object.name} with id ${id}`);
      store.update(object, String(record.Id), deserialize(store.objectDef(object), fields), {
        userId: String(record.OwnerId ?? defaultUserId),
      });
    },
    sendEmail: (fields) => {
      const object = objectNamed('EmailMessage');
      const values = { ...fields, Status: '3', Incoming: false, IsTracked: true, MessageDate: new Date(store.clock.now()).toISOString() };
      return String(store.create(object, deserialize(object, values), { userId: defaultUserId, system: true }).Id);
    },
    expireTokens: () => org.tokens.expireAll(),
    holdUpserts: () => org.commits.hold(),
  };
}

function listen(app: ReturnType<typeof createApp>, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    // Like Salesforce's front end, `//services/data` is `/services/data` (clients that keep a trailing slash on the
    // instance URL, such as the Salesforce CLI, send such paths).
    const fetch = (request: Request) => {
      const url = new URL(request.url);
      if (!url.pathname.includes('//')) return app.fetch(request);
      url.pathname = url.pathname.replace(/\/{2,}/g, '/');
      return app.fetch(new Request(url, request));
    };
    const server = serve({ fetch, port, hostname: '127.0.0.1' }, () => resolve(server));
    server.once('error', reject);
  });
}

function close(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
