// Local Salesforce org emulator (not Salesforce): the event bus of Change Data Capture. The org's own writes to the
// selected objects become change events (Change Data Capture Developer Guide), kept for 72 hours of the org's clock
// and replayed by position (Pub/Sub API guide, "Event Message Durability").

import { randomUUID } from 'node:crypto';
import type { ObjectDef, StoredRecord } from '../schema.ts';
import type { OrgClock } from '../time.ts';
import { ChangeEventSchema, type ChangeType } from './change-event-schema.ts';

/** "Salesforce stores platform events and change data capture events for 72 hours." */
const RETENTION_MS = 72 * 3600_000;

/** One change event as stored on the bus. */
export interface BusEvent {
  /** Position on the bus (1, 2, ...); the replay id is its 8 bytes, big-endian. */
  position: bigint;
  topic: string;
  schemaId: string;
  /** A unique event id (ProducerEvent.id). */
  id: string;
  payload: Buffer;
  /** The org's clock at commit (ms). */
  at: number;
}

/** A record write the store reports: the record before (absent on create) and after. */
interface RecordWrite {
  object: ObjectDef;
  changeType: ChangeType;
  before?: StoredRecord;
  after: StoredRecord;
  userId: string;
}

/** The change data capture channel of an object, e.g. `/data/TaskChangeEvent`. */
const topicOf = (objectName: string) => `/data/${objectName}ChangeEvent`;

/** Fields whose change is bookkeeping, never listed in changedFields on their own. */
const AUDIT = new Set(['LastModifiedDate', 'LastModifiedById', 'SystemModstamp']);

export class EventBus {
  private events: BusEvent[] = [];
  private nextPosition = 1n;
  private commitNumber = 0;
  /** Events written inside an open transaction (an allOrNone request): published at its commit, dropped at rollback. */
  private pending: BusEvent[] = [];
  private depth = 0;
  private transactionKey = '';
  private sequence = 0;
  private readonly schemas = new Map<string, ChangeEventSchema>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly clock: OrgClock,
    /** Objects selected for Change Data Capture (Setup > Change Data Capture). */
    readonly selected: ReadonlySet<string>,
  ) {}

  /** The schema of an object's change events (created once, then the same id). */
  schemaOf(object: ObjectDef): ChangeEventSchema {
    let schema = this.schemas.get(object.name);
    if (!schema) this.schemas.set(object.name, (schema = new ChangeEventSchema(object)));
    return schema;
  }

  schemaById(id: string): ChangeEventSchema | undefined {
    return [...this.schemas.values()].find((s) => s.id === id);
  }

  /** Opens a transaction: the events written until `commit` share one transactionKey and are published together. */
  begin(): void {
    if (this.depth++ === 0) this.startTransaction();
  }

  commit(): void {
    if (this.depth === 0 || --this.depth > 0) return;
    this.publish(this.pending.splice(0));
  }

  rollback(): void {
    if (this.depth === 0 || --this.depth > 0) return;
    this.pending = [];
  }

  /** Records a write to a selected object as a change event (writes to other objects produce none). */
  record(write: RecordWrite): void {
    if (!this.selected.has(write.object.name)) return;
    const schema = this.schemaOf(write.object);
    if (this.depth === 0) this.startTransaction();
    const { changed, nulled, values } = this.diff(schema, write);
    // An update that changed no field the event carries (only bookkeeping) is not a change event.
    if (write.changeType === 'UPDATE' && changed.length === 0) return;
    const at = this.clock.now();
    const payload = schema.encode(
      {
        entityName: write.object.name,
        recordIds: [String(write.after.Id)],
        changeType: write.changeType,
        // Filled only for API clients that send a client id (Sforce-Call-Options); empty otherwise.
        changeOrigin: '',
        transactionKey: this.transactionKey,
        sequenceNumber: ++this.sequence,
        commitTimestamp: at,
        commitNumber: this.commitNumber,
        commitUser: write.userId,
        nulledFields: schema.bitmap(nulled),
        diffFields: [],
        changedFields: write.changeType === 'UPDATE' ? schema.bitmap(changed) : [],
      },
      values,
    );
    const event: BusEvent = { position: 0n, topic: topicOf(write.object.name), schemaId: schema.id, id: randomUUID(), payload, at };
    if (this.depth > 0) this.pending.push(event);
    else this.publish([event]);
  }

  /** The retained events of a topic after a position (all retained ones for 0n), oldest first. */
  after(topic: string, position: bigint): BusEvent[] {
    this.purge();
    return this.events.filter((e) => e.topic === topic && e.position > position);
  }

  /** The first position still retained (the next one when nothing is), and the last one given so far. */
  window(): { first: bigint; last: bigint } {
    this.purge();
    return { first: this.events[0]?.position ?? this.nextPosition, last: this.nextPosition - 1n };
  }

  /** Calls `listener` after every publish; returns its removal. */
  onPublish(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private startTransaction(): void {
    this.transactionKey = randomUUID().replace(/-/g, '');
    this.sequence = 0;
    this.commitNumber += 1;
  }

  private publish(events: BusEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      event.position = this.nextPosition++;
      this.events.push(event);
    }
    for (const listener of this.listeners) listener();
  }

  /** Drops the events older than the retention window (the org's clock). */
  private purge(): void {
    const horizon = this.clock.now() - RETENTION_MS;
    const keep = this.events.findIndex((e) => e.at >= horizon);
    if (keep !== 0) this.events = keep < 0 ? [] : this.events.slice(keep);
  }

  /**
   * What the event carries: on create every non-null field, on update the changed fields (null ones also in
   * nulledFields) with LastModifiedDate, on delete nothing but the header.
   */
  private diff(schema: ChangeEventSchema, write: RecordWrite): { changed: string[]; nulled: string[]; values: StoredRecord } {
    const values: StoredRecord = {};
    const changed: string[] = [];
    const nulled: string[] = [];
    if (write.changeType === 'DELETE') return { changed, nulled, values };
    for (const name of schema.fields) {
      const now = write.after[name] ?? null;
      if (write.changeType !== 'UPDATE') {
        if (now !== null) values[name] = now;
        continue;
      }
      const was = write.before?.[name] ?? null;
      if (now === was) continue;
      if (!AUDIT.has(name)) changed.push(name);
      values[name] = now;
      if (now === null) nulled.push(name);
    }
    if (write.changeType === 'UPDATE' && changed.length) {
      values.LastModifiedDate = write.after.LastModifiedDate;
      changed.push('LastModifiedDate');
    }
    return { changed, nulled, values };
  }
}
