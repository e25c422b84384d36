// Local Salesforce org emulator (not Salesforce): create, update, delete and upsert as the REST API performs them.

import { ApiError, recordError, type RecordError } from './errors.ts';
import { toId18 } from './ids.ts';
import { findField, type ObjectDef, type OrgSchema, type StoredRecord } from './schema.ts';
import type { OrgStore, WriteContext } from './store.ts';

export interface SaveResult {
  id?: string;
  success: boolean;
  errors: RecordError[];
  created?: boolean;
}

/** The sObject named in a URL; unknown names are 404 like Salesforce. */
export function objectFromUrl(schema: OrgSchema, type: string): ObjectDef {
  const object = schema.find(type);
  if (!object) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return object;
}

/** The sObject named in a record's `attributes.type` inside a collection body. */
export function objectFromAttributes(schema: OrgSchema, record: Record<string, unknown>): ObjectDef {
  const type = (record.attributes as { type?: unknown } | undefined)?.type;
  if (typeof type !== 'string') {
    throw new ApiError(400, 'INVALID_FIELD', 'No SObject Type defined in record: every record needs attributes.type');
  }
  const object = schema.find(type);
  if (!object) throw new ApiError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
  return object;
}

/** A live record of the given type for an id from a URL or body, or a per-record error. */
export function existingRecord(store: OrgStore, object: ObjectDef, rawId: unknown): StoredRecord {
  if (typeof rawId !== 'string' || rawId === '') throw recordError('MISSING_ARGUMENT', 'Id not specified in an update call');
  const id = toId18(rawId);
  if (!id) throw recordError('MALFORMED_ID', `malformed id ${rawId}`);
  const found = store.lookup(id);
  if (!found || found.type !== object.name) throw recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  if (found.record.IsDeleted) throw recordError('ENTITY_IS_DELETED', 'entity is deleted');
  return found.record;
}

export function createRecord(store: OrgStore, object: ObjectDef, values: Map<string, unknown>, ctx: WriteContext): SaveResult {
  const record = store.create(object, values, ctx);
  return { id: String(record.Id), success: true, errors: [] };
}

export function deleteRecord(store: OrgStore, object: ObjectDef, id: unknown, ctx: WriteContext): SaveResult {
  const record = existingRecord(store, object, id);
  store.remove(object, String(record.Id), ctx);
  return { id: String(record.Id), success: true, errors: [] };
}

/** The records an upsert's key matches, looked up before its write (see transactions.ts). */
export function upsertMatches(store: OrgStore, object: ObjectDef, field: string, values: Map<string, unknown>): StoredRecord[] {
  const value = values.get(field);
  if (value === null || value === undefined || value === '') return [];
  return store.findByExternalId(object, field, value);
}

/**
 * Upsert by external id (the value is in `values`): no match creates, one updates, several is DUPLICATE_EXTERNAL_ID.
 * `matches` is what the lookup found earlier in the same transaction: a record another transaction committed since
 * then makes the insert fail on the unique index (DUPLICATE_VALUE), as in a real org.
 */
export function upsertRecord(
  store: OrgStore,
  object: ObjectDef,
  field: string,
  values: Map<string, unknown>,
  ctx: WriteContext,
  matches = upsertMatches(store, object, field, values),
): SaveResult {
  const value = values.get(field);
  if (value === null || value === undefined || value === '') {
    throw recordError('MISSING_ARGUMENT', `${field} not specified`, [field]);
  }
  if (matches.length > 1) {
    throw recordError(
      'DUPLICATE_EXTERNAL_ID',
      `${field}: more than one record found for external id field: [${matches.map((r) => r.Id).join(', ')}]`,
      [field],
    );
  }
  if (matches.length === 0) return { ...createRecord(store, object, values, ctx), created: true };
  const id = String(matches[0]!.Id);
  if (!store.find(id, object.name)) throw recordError('ENTITY_IS_DELETED', 'entity is deleted');
  store.update(object, id, values, ctx);
  return { id, success: true, errors: [], created: false };
}

/** The canonical external id field named in a URL; it must be marked External ID. */
export function externalIdField(object: ObjectDef, name: string): string {
  const field = findField(object, name);
  if (!field || !object.fields[field]!.externalId) {
    throw new ApiError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${name}`);
  }
  return field;
}
