// Local Salesforce org emulator (not Salesforce): turns a JSON record body into field values the way Salesforce does.
// Deserialization problems (unknown field, wrong JSON type) fail the whole request; DML problems fail one record.

import { ApiError, recordError } from './errors.ts';
import { sameId, toId18 } from './ids.ts';
import { fieldLabel, findField, isNumberType, isTextType, type ObjectDef, type RecordLookup } from './schema.ts';
import { formatDateTime, parseDate, parseDateTime } from './time.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Maps body keys to canonical field names and JSON values to stored values. Throws ApiError (400). */
export function deserialize(object: ObjectDef, body: Record<string, unknown>, ignore: string[] = []): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'attributes' || ignore.includes(key)) continue;
    const name = findField(object, key);
    if (!name) {
      throw new ApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`);
    }
    values.set(name, coerce(object, name, raw));
  }
  return values;
}

function coerce(object: ObjectDef, name: string, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  const def = object.fields[name]!;
  const fail = () =>
    new ApiError(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${def.type} from value ${JSON.stringify(raw)} for field ${name} on ${object.name}`,
    );
  switch (def.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw fail();
    case 'currency':
    case 'double':
    case 'percent':
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n) || (def.type === 'int' && !Number.isInteger(n))) throw fail();
      return n;
    }
    case 'date':
      if (typeof raw === 'string' && parseDate(raw) !== undefined) return raw;
      throw fail();
    case 'time':
      // The REST API's time format, e.g. 08:00:00.000Z.
      if (typeof raw === 'string' && /^\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(raw))
        return raw.length === 9 ? `${raw.slice(0, 8)}.000Z` : raw;
      throw fail();
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseDateTime(raw) : undefined;
      if (ms === undefined) throw fail();
      return formatDateTime(ms);
    }
    default:
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      throw fail();
  }
}

/** Record-level checks on the fields being written; throws RecordFailure. */
export function checkFieldValues(
  object: ObjectDef,
  values: Map<string, unknown>,
  operation: 'create' | 'update',
  lookup: RecordLookup,
  queueSupports: (queueId: string, sobjectType: string) => boolean = () => false,
): void {
  const notWritable = [...values.keys()].filter((name) => {
    const access = object.fields[name]!.access ?? 'readWrite';
    return access === 'readOnly' || (access === 'createOnly' && operation === 'update');
  });
  if (notWritable.length > 0) {
    throw recordError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      notWritable,
    );
  }
  for (const [name, value] of values) {
    if (value === null) continue;
    const def = object.fields[name]!;
    const label = fieldLabel(name, def);
    if (def.type === 'picklist' && def.restricted && !def.picklistValues!.includes(String(value))) {
      throw recordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${label}: bad value for restricted picklist field: ${value}`, [name]);
    }
    if (isTextType(def.type) && def.length !== undefined && String(value).length > def.length) {
      throw recordError('STRING_TOO_LONG', `${label}: data value too large: ${value} (max length=${def.length})`, [name]);
    }
    // A number field of precision p and scale s holds p - s digits before the point (Metadata API, CustomField);
    // more is NUMBER_OUTSIDE_VALID_RANGE (API StatusCode), e.g. 12345 in a Number(4, 0).
    if (isNumberType(def.type) && def.precision !== undefined && Math.abs(Number(value)) >= 10 ** (def.precision - (def.scale ?? 0))) {
      throw recordError('NUMBER_OUTSIDE_VALID_RANGE', `${label}: value outside of valid range on numeric field: ${value}`, [name]);
    }
    if (def.type === 'email' && !EMAIL.test(String(value))) {
      throw recordError('INVALID_EMAIL_ADDRESS', `${label}: invalid email address: ${value}`, [name]);
    }
    if (def.type === 'reference') values.set(name, checkReference(name, label, def.referenceTo!, String(value), lookup));
    if (name === 'OwnerId') checkOwner(object, String(values.get(name)), lookup, queueSupports);
  }
}

/**
 * A record's owner must be an active user (INACTIVE_OWNER_OR_USER, "operation performed with inactive user"), or, where
 * the object allows queues (Task), a Group of Type Queue whose supported objects (QueueSobject) include the object.
 */
function checkOwner(object: ObjectDef, id: string, lookup: RecordLookup, queueSupports: (queueId: string, type: string) => boolean): void {
  const found = lookup(id)!;
  if (found.type === 'User' && found.record.IsActive === false)
    throw recordError(
      'INACTIVE_OWNER_OR_USER',
      `operation performed with inactive user [${id.slice(0, 15)}] as owner of ${object.name.toLowerCase()}`,
      ['OwnerId'],
    );
  if (found.type === 'Group' && (found.record.Type !== 'Queue' || !queueSupports(id, object.name)))
    throw recordError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${id} is not a queue that supports ${object.name}`, [
      'OwnerId',
    ]);
}

function checkReference(name: string, label: string, referenceTo: string[], value: string, lookup: RecordLookup): string {
  const id = toId18(value);
  if (!id) throw recordError('MALFORMED_ID', `${label}: id value of incorrect type: ${value}`, [name]);
  const found = lookup(id);
  if (!found || !referenceTo.includes(found.type) || !sameId(String(found.record.Id), id)) {
    throw recordError('FIELD_INTEGRITY_EXCEPTION', `${label}: id value of incorrect type: ${value}`, [name]);
  }
  if (found.record.IsDeleted) throw recordError('ENTITY_IS_DELETED', 'entity is deleted', [name]);
  return id;
}

/** Required fields must hold a value once the write is applied. */
export function checkRequired(object: ObjectDef, record: Record<string, unknown>): void {
  const missing = Object.entries(object.fields)
    .filter(([name, def]) => def.required && (record[name] === null || record[name] === undefined || record[name] === ''))
    .map(([name]) => name);
  if (missing.length > 0) {
    throw recordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  }
}
