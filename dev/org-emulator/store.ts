// Local Salesforce org emulator (not Salesforce): the in-memory records of the emulated org and its DML rules.

import { recordError } from './errors.ts';
import { salesforceId, sameId, toId18 } from './ids.ts';
import type { ObjectDef, OrgSchema, RecordLookup, StoredRecord } from './schema.ts';
import type { OrgClock } from './time.ts';
import { formatDateTime, parseDateTime } from './time.ts';
import { checkPermissionRecord } from './permissions.ts';
import type { AppliedShape } from './shape.ts';
import { checkFieldValues, checkRequired } from './validate.ts';
import type { EventBus } from './pubsub/event-bus.ts';

/** Who writes, and whether the write is the seed loader's (which may set Id and audit fields) or the org's own. */
export interface WriteContext {
  userId: string;
  seed?: boolean;
  /** The org itself writes (an email it sends), so it sets the fields only the org sets, like IsTracked. */
  system?: boolean;
}

type Tables = Map<string, Map<string, StoredRecord>>;

const AUDIT_FIELDS = ['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp'];

export class OrgStore {
  private tables: Tables;
  private nextNumber = 1_000_000;
  /** The org's shape (shape.ts), applied after the seed loaded: the seed is the org's history, written before. */
  shape?: AppliedShape;

  /** Change Data Capture: the org's writes to the selected objects become change events on this bus. */
  events?: EventBus;

  constructor(
    readonly clock: OrgClock,
    /** The org's objects: the standard ones with its package's custom fields. */
    readonly schema: OrgSchema,
  ) {
    this.tables = new Map(Object.keys(schema.objects).map((name) => [name, new Map()]));
  }

  /** The object as this org defines it (its shape's picklists, required fields and record type field), for reads. */
  objectDef(object: ObjectDef): ObjectDef {
    return this.shape?.objectDef(object) ?? object;
  }

  /** The object as this org defines it (its picklists and required fields), refusing one whose feature is off. */
  private defined(object: ObjectDef): ObjectDef {
    if (!this.shape) return object;
    if (!this.shape.exists(object.name)) throw recordError('INVALID_TYPE', `sObject type '${object.name}' is not supported.`);
    return this.shape.objectDef(object);
  }

  /** Finds a live or deleted record by 15- or 18-character id. */
  readonly lookup: RecordLookup = (id) => {
    if (typeof id !== 'string') return undefined;
    const id18 = toId18(id);
    const object = id18 && this.schema.forId(id18);
    const record = object && this.tables.get(object.name)!.get(id18);
    return record ? { type: object.name, record } : undefined;
  };

  /** Whether a queue's supported objects (its QueueSobject rows) include an object. */
  readonly queueSupports = (queueId: string, sobjectType: string): boolean =>
    this.list('QueueSobject').some((q) => q.QueueId === queueId && q.SobjectType === sobjectType);

  /** A live (not deleted) record by id, optionally of a given type. */
  find(id: string, type?: string): StoredRecord | undefined {
    const found = this.lookup(id);
    if (!found || found.record.IsDeleted || (type && found.type !== type)) return undefined;
    return found.record;
  }

  /** Records of a type in creation order; deleted ones only with includeDeleted (queryAll). */
  list(type: string, includeDeleted = false): StoredRecord[] {
    return [...this.tables.get(type)!.values()].filter((r) => includeDeleted || !r.IsDeleted);
  }

  /**
   * A copy of every table, restored by `restore` when an allOrNone request fails; `commit` ends it when the request
   * succeeds. Between the two the request is one transaction: its change events share a transactionKey and are
   * published at commit, or never.
   */
  snapshot(): Tables {
    this.events?.begin();
    return structuredClone(this.tables);
  }

  restore(snapshot: Tables): void {
    this.tables = snapshot;
    this.events?.rollback();
  }

  commit(): void {
    this.events?.commit();
  }

  create(given: ObjectDef, values: Map<string, unknown>, ctx: WriteContext): StoredRecord {
    const object = this.defined(given);
    const audit = ctx.seed ? takeAuditFields(values) : new Map<string, unknown>();
    // Fields only the org sets (an email's open tracking) are the seed's to give, as the org's history would have.
    const orgSet = ctx.seed || ctx.system ? takeOrgSetFields(object, values) : new Map<string, unknown>();
    checkFieldValues(object, values, 'create', this.lookup, this.queueSupports);
    const record: StoredRecord = {};
    for (const [name, def] of Object.entries(object.fields)) {
      const fallback = def.defaultValue === '$runningUser' ? ctx.userId : def.defaultValue;
      record[name] = values.has(name) ? values.get(name) : orgSet.has(name) ? orgSet.get(name) : (fallback ?? null);
    }
    record.Id = audit.get('Id') ?? this.newId(object);
    const now = this.clock.now();
    record.CreatedDate = audit.get('CreatedDate') ?? formatDateTime(now);
    record.CreatedById = audit.get('CreatedById') ?? ctx.userId;
    record.LastModifiedDate = audit.get('LastModifiedDate') ?? record.CreatedDate;
    record.LastModifiedById = audit.get('LastModifiedById') ?? record.CreatedById;
    record.SystemModstamp = record.LastModifiedDate;
    record.IsDeleted = false;
    this.computeFormulas(object, record);
    object.recordRule?.(record, { operation: 'create', written: [...values.keys()], list: (type) => this.list(type) });
    checkRequired(object, record);
    this.shape?.checkRecordType(object, values, this.lookup);
    this.shape?.checkValidationRules(object, record);
    this.checkUnique(object, record);
    checkPermissionRecord(this.schema, object, record, this.lookup, (type) => this.list(type));
    this.tables.get(object.name)!.set(String(record.Id), record);
    this.afterWrite(object, record, ctx);
    if (!ctx.seed) this.events?.record({ object, changeType: 'CREATE', after: record, userId: ctx.userId });
    return record;
  }

  update(given: ObjectDef, id: string, values: Map<string, unknown>, ctx: WriteContext): StoredRecord {
    const object = this.defined(given);
    const existing = this.find(id, object.name);
    if (!existing) throw recordError('ENTITY_IS_DELETED', 'entity is deleted');
    const locked = object.lockedOnUpdate?.(existing, [...values.keys()], values);
    if (locked)
      throw recordError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to update fields: ${locked.fields.join(', ')} (${locked.reason})`,
        locked.fields,
      );
    checkFieldValues(object, values, 'update', this.lookup, this.queueSupports);
    const record: StoredRecord = { ...existing, ...Object.fromEntries(values) };
    this.computeFormulas(object, record);
    object.recordRule?.(record, { operation: 'update', written: [...values.keys()], list: (type) => this.list(type) });
    checkRequired(object, record);
    this.shape?.checkRecordType(object, values, this.lookup);
    this.shape?.checkValidationRules(object, record);
    this.checkUnique(object, record);
    checkPermissionRecord(this.schema, object, record, this.lookup, (type) => this.list(type));
    this.touch(record, ctx.userId);
    this.tables.get(object.name)!.set(String(record.Id), record);
    this.afterWrite(object, record, ctx);
    if (!ctx.seed) this.events?.record({ object, changeType: 'UPDATE', before: existing, after: record, userId: ctx.userId });
    return record;
  }

  /** Moves a record to the recycle bin (queryAll still sees it), with the records that die with it. */
  remove(object: ObjectDef, id: string, ctx: WriteContext): void {
    const record = this.find(id, object.name);
    if (!record) throw recordError('ENTITY_IS_DELETED', 'entity is deleted');
    record.IsDeleted = true;
    this.touch(record, ctx.userId);
    // Contact roles die with their opportunity or contact; activities with the record they relate to.
    const dependents = [
      ...this.list('OpportunityContactRole').filter((r) => r.OpportunityId === record.Id || r.ContactId === record.Id),
      ...this.list('Task').filter((r) => r.WhatId === record.Id),
      ...this.list('Event').filter((r) => r.WhatId === record.Id),
      // An event's invitees go with it (Object Reference, EventRelation).
      ...this.list('EventRelation').filter((r) => r.EventId === record.Id),
    ];
    for (const dependent of dependents) dependent.IsDeleted = true;
    for (const deleted of [record, ...dependents]) {
      const type = this.schema.forId(String(deleted.Id));
      if (type) this.events?.record({ object: type, changeType: 'DELETE', after: deleted, userId: ctx.userId });
    }
  }

  /** Live records whose external id field equals a value (case-insensitive, as for text external ids). */
  findByExternalId(object: ObjectDef, field: string, value: unknown): StoredRecord[] {
    const wanted = String(value).toLowerCase();
    return this.list(object.name).filter((r) => r[field] !== null && String(r[field]).toLowerCase() === wanted);
  }

  /** Bumps LastModifiedDate and SystemModstamp, always forward so an edit is visible even within a second. */
  touch(record: StoredRecord, userId: string): void {
    const previous = parseDateTime(String(record.SystemModstamp)) ?? 0;
    const stamp = formatDateTime(Math.max(this.clock.now(), previous + 1000));
    record.LastModifiedDate = stamp;
    record.SystemModstamp = stamp;
    record.LastModifiedById = userId;
  }

  private newId(object: ObjectDef): string {
    let id: string;
    do id = salesforceId(object.keyPrefix, this.nextNumber++);
    while (this.lookup(id));
    return id;
  }

  private computeFormulas(object: ObjectDef, record: StoredRecord): void {
    for (const [name, def] of Object.entries(object.fields)) {
      if (def.formula) record[name] = def.formula(record, this.lookup) ?? null;
    }
  }

  private checkUnique(object: ObjectDef, record: StoredRecord): void {
    for (const [name, def] of Object.entries(object.fields)) {
      if (!def.unique || record[name] === null || record[name] === undefined) continue;
      const clash = this.findByExternalId(object, name, record[name]).find((r) => !sameId(String(r.Id), String(record.Id)));
      if (clash) {
        throw recordError('DUPLICATE_VALUE', `duplicate value found: ${name} duplicates value on record with id: ${clash.Id}`);
      }
    }
  }

  /** What the org's own automation does after a write. */
  private afterWrite(object: ObjectDef, record: StoredRecord, ctx: WriteContext): void {
    // An opportunity has at most one primary contact role.
    if (object.name === 'OpportunityContactRole' && record.IsPrimary === true) {
      for (const other of this.list('OpportunityContactRole')) {
        if (other.OpportunityId === record.OpportunityId && other.Id !== record.Id && other.IsPrimary) {
          other.IsPrimary = false;
          if (!ctx.seed) this.touch(other, ctx.userId);
        }
      }
    }
  }
}

/** Seed records may carry Id and audit fields, which the API never accepts. */
function takeOrgSetFields(object: ObjectDef, values: Map<string, unknown>): Map<string, unknown> {
  const taken = new Map<string, unknown>();
  for (const [name, def] of Object.entries(object.fields)) {
    if (def.access === 'readOnly' && !def.formula && values.has(name)) {
      taken.set(name, values.get(name));
      values.delete(name);
    }
  }
  return taken;
}

function takeAuditFields(values: Map<string, unknown>): Map<string, unknown> {
  const taken = new Map<string, unknown>();
  for (const name of ['Id', ...AUDIT_FIELDS]) {
    if (values.has(name)) {
      taken.set(name, values.get(name));
      values.delete(name);
    }
  }
  return taken;
}
