// Local Salesforce org emulator (not Salesforce): /services/data/vXX.X/composite/sobjects — sObject collections.
// Up to 200 records per call; each record succeeds or fails alone unless allOrNone rolls everything back.

import { Hono } from 'hono';
import {
  createRecord,
  deleteRecord,
  existingRecord,
  externalIdField,
  objectFromAttributes,
  objectFromUrl,
  upsertMatches,
  upsertRecord,
  type SaveResult,
} from '../dml.ts';
import { ApiError, notFound, RecordFailure, type RecordError } from '../errors.ts';
import { toId18 } from '../ids.ts';
import { findField } from '../schema.ts';
import type { OrgStore } from '../store.ts';
import { apiVersion, readJson, writeContext, type EmulatorContext, type EmulatorEnv } from '../org.ts';
import { deserialize } from '../validate.ts';

export const composite = new Hono<EmulatorEnv>();

const MAX_RECORDS = 200;

const ROLLED_BACK: RecordError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

function checkCount(n: number): void {
  if (n > MAX_RECORDS) {
    throw new ApiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
  }
}

async function collectionBody(c: EmulatorContext): Promise<{ allOrNone: boolean; records: Record<string, unknown>[] }> {
  const body = (await readJson(c)) as { allOrNone?: unknown; records?: unknown } | null;
  if (!body || !Array.isArray(body.records) || body.records.some((r) => !r || typeof r !== 'object')) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be { allOrNone, records: [ {...}, ... ] }');
  }
  checkCount(body.records.length);
  return { allOrNone: body.allOrNone === true || body.allOrNone === 'true', records: body.records };
}

/**
 * Runs one operation per record. A RecordFailure fails that record; with allOrNone, any failure restores
 * the store and turns the successes into ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
function runCollection(
  c: EmulatorContext,
  count: number,
  allOrNone: boolean,
  operation: (i: number, store: OrgStore) => SaveResult,
  failure: (i: number, error: RecordError) => SaveResult,
): SaveResult[] {
  const fault = c.get('org').faults.take(c.req.method, 'per-record');
  if (fault) {
    return Array.from({ length: count }, (_, i) => failure(i, { statusCode: fault.errorCode, message: fault.message, fields: [] }));
  }
  const { store } = c.get('org');
  const snapshot = allOrNone ? store.snapshot() : undefined;
  const results = Array.from({ length: count }, (_, i) => {
    try {
      return operation(i, store);
    } catch (err) {
      if (err instanceof RecordFailure) return failure(i, err.error);
      // An unexpected error ends the transaction too, so its change events are never published.
      if (snapshot) store.restore(snapshot);
      throw err;
    }
  });
  if (!snapshot || results.every((r) => r.success)) {
    if (snapshot) store.commit();
    return results;
  }
  store.restore(snapshot);
  return results.map((r, i) => (r.success ? failure(i, ROLLED_BACK) : r));
}

composite.post('/sobjects', async (c) => {
  const { allOrNone, records } = await collectionBody(c);
  const writes = records.map((r) => ({ object: objectFromAttributes(c.get('org').store.schema, r), record: r }));
  const values = writes.map((w) => deserialize(w.object, w.record));
  return c.json(
    runCollection(
      c,
      writes.length,
      allOrNone,
      (i, store) => createRecord(store, writes[i]!.object, values[i]!, writeContext(c)),
      (_, error) => ({ success: false, errors: [error] }),
    ),
  );
});

composite.patch('/sobjects', async (c) => {
  const { allOrNone, records } = await collectionBody(c);
  const writes = records.map((r) => ({ object: objectFromAttributes(c.get('org').store.schema, r), id: r.id ?? r.Id }));
  const values = writes.map((w, i) => deserialize(w.object, records[i]!, ['id', 'Id']));
  return c.json(
    runCollection(
      c,
      writes.length,
      allOrNone,
      (i, store) => {
        const record = existingRecord(store, writes[i]!.object, writes[i]!.id);
        store.update(writes[i]!.object, String(record.Id), values[i]!, writeContext(c));
        return { id: String(record.Id), success: true, errors: [] };
      },
      (i, error) => ({ id: typeof writes[i]!.id === 'string' ? (writes[i]!.id as string) : undefined, success: false, errors: [error] }),
    ),
  );
});

composite.delete('/sobjects', (c) => {
  const ids = (c.req.query('ids') ?? '').split(',').filter(Boolean);
  checkCount(ids.length);
  return c.json(
    runCollection(
      c,
      ids.length,
      c.req.query('allOrNone') === 'true',
      (i, store) => {
        const object = store.schema.forId(toId18(ids[i]!) ?? '');
        if (!object) throw new RecordFailure({ statusCode: 'MALFORMED_ID', message: `malformed id ${ids[i]}`, fields: [] });
        return deleteRecord(store, object, ids[i], writeContext(c));
      },
      (i, error) => ({ id: ids[i], success: false, errors: [error] }),
    ),
  );
});

/** Retrieve several records of one type: `{ ids, fields }` -> records, null for ids not found. */
composite.post('/sobjects/:type', async (c) => {
  const object = objectFromUrl(c.get('org').store.schema, c.req.param('type'));
  const body = (await readJson(c)) as { ids?: unknown; fields?: unknown } | null;
  if (!Array.isArray(body?.ids) || !Array.isArray(body.fields)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be { ids: [...], fields: [...] }');
  }
  checkCount(body.ids.length);
  const fields = body.fields.map((f) => {
    const name = findField(object, String(f));
    if (!name) throw new ApiError(400, 'INVALID_FIELD', `No such column '${f}' on entity '${object.name}'`);
    return name;
  });
  const { store } = c.get('org');
  return c.json(
    body.ids.map((id) => {
      const record = store.find(String(id), object.name);
      if (!record) return null;
      const url = `/services/data/v${apiVersion(c)}/sobjects/${object.name}/${record.Id}`;
      return { attributes: { type: object.name, url }, ...Object.fromEntries(fields.map((f) => [f, record[f] ?? null])) };
    }),
  );
});

/** Upsert by external id: API v46.0 and later; every record typed as the URL's object; a key used twice fails every record with it. */
composite.patch('/sobjects/:type/:field', async (c) => {
  if (Number(apiVersion(c)) < 46) throw notFound();
  const object = objectFromUrl(c.get('org').store.schema, c.req.param('type'));
  const field = externalIdField(object, c.req.param('field'));
  const { allOrNone, records } = await collectionBody(c);
  for (const record of records) {
    const declared = objectFromAttributes(c.get('org').store.schema, record);
    if (declared.name !== object.name) {
      throw new ApiError(
        400,
        'INVALID_TYPE',
        `The record type ${declared.name} does not match the type ${object.name} in the URL; the list can contain objects only of that type`,
      );
    }
  }
  const values = records.map((r) => deserialize(object, r));
  const keys = values.map((v) => String(v.get(field) ?? '').toLowerCase());
  const repeated = new Set(keys.filter((k, i) => k && keys.indexOf(k) !== i));
  const { store: before, commits } = c.get('org');
  const matches = values.map((v) => upsertMatches(before, object, field, v));
  await commits.reached();
  return c.json(
    runCollection(
      c,
      records.length,
      allOrNone,
      (i, store) => {
        if (repeated.has(keys[i]!)) {
          throw new RecordFailure({
            statusCode: 'DUPLICATE_VALUE',
            message: `Duplicate external id specified: ${values[i]!.get(field)}`,
            fields: [field],
          });
        }
        return upsertRecord(store, object, field, values[i]!, writeContext(c), matches[i]);
      },
      (_, error) => ({ success: false, errors: [error], created: false }),
    ),
  );
});
