// Local Salesforce org emulator (not Salesforce): /services/data/vXX.X/sobjects — one record at a time, and describe.

import { Hono } from 'hono';
import { createRecord, deleteRecord, externalIdField, objectFromUrl, upsertMatches, upsertRecord } from '../dml.ts';
import { ApiError, notFound } from '../errors.ts';
import { toId18 } from '../ids.ts';
import { fieldLabel, findField, isLongTextArea, type ObjectDef, type StoredRecord } from '../schema.ts';
import { isPermissionable } from '../permissions.ts';
import { apiVersion, readRecordBody, writeContext, type EmulatorContext, type EmulatorEnv } from '../org.ts';
import { deserialize } from '../validate.ts';

export const sobjects = new Hono<EmulatorEnv>();

const recordUrl = (c: EmulatorContext, type: string, id: unknown) => `/services/data/v${apiVersion(c)}/sobjects/${type}/${id}`;

/** A live record for a URL id: 404 NOT_FOUND when unknown, 404 ENTITY_IS_DELETED when in the recycle bin. */
function recordFromUrl(c: EmulatorContext, object: ObjectDef, rawId: string): StoredRecord {
  const id = toId18(rawId);
  const found = id ? c.get('org').store.lookup(id) : undefined;
  if (!found || found.type !== object.name) throw notFound();
  if (found.record.IsDeleted) throw new ApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  return found.record;
}

/** A record as the REST API returns it: attributes first, then the requested (or all) fields. */
function recordBody(c: EmulatorContext, object: ObjectDef, record: StoredRecord, fieldList?: string) {
  const names = fieldList
    ? fieldList.split(',').map((raw) => {
        const name = findField(object, raw.trim());
        if (!name) throw new ApiError(400, 'INVALID_FIELD', `No such column '${raw.trim()}' on entity '${object.name}'`);
        return name;
      })
    : Object.keys(object.fields);
  return {
    attributes: { type: object.name, url: recordUrl(c, object.name, record.Id) },
    ...Object.fromEntries(names.map((n) => [n, record[n] ?? null])),
  };
}

function describe(c: EmulatorContext, given: ObjectDef) {
  // The org's own picklist values and required fields (its shape), as describe reports them in that org.
  const object = c.get('org').store.shape?.objectDef(given) ?? given;
  return {
    name: object.name,
    label: object.name,
    keyPrefix: object.keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    urls: { sobject: `/services/data/v${apiVersion(c)}/sobjects/${object.name}` },
    fields: Object.entries(object.fields).map(([name, def]) => ({
      name,
      label: fieldLabel(name, def),
      type: def.type,
      length: def.length ?? 0,
      precision: def.precision ?? 0,
      scale: def.scale ?? 0,
      custom: name.endsWith('__c'),
      nillable: !def.required && def.type !== 'boolean' && name !== 'Id',
      createable: (def.access ?? 'readWrite') !== 'readOnly',
      updateable: (def.access ?? 'readWrite') === 'readWrite',
      calculated: def.formula !== undefined,
      filterable: !isLongTextArea(def),
      sortable: !isLongTextArea(def),
      externalId: def.externalId ?? false,
      // Whether field-level security applies: only a permissionable field can have FieldPermissions rows (F1, F3).
      permissionable: isPermissionable(object, name),
      unique: def.unique ?? false,
      referenceTo: def.referenceTo ?? [],
      relationshipName: def.relationshipName ?? null,
      restrictedPicklist: def.restricted ?? false,
      picklistValues: (def.picklistValues ?? []).map((value) => ({
        active: true,
        defaultValue: value === def.defaultValue,
        label: value,
        value,
      })),
    })),
    childRelationships: Object.entries(object.children).map(([relationshipName, child]) => ({
      relationshipName,
      childSObject: child.childObject,
      field: child.field,
    })),
  };
}

sobjects.get('/', (c) =>
  c.json({
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: Object.values(c.get('org').store.schema.objects)
      .filter((o) => c.get('org').store.shape?.exists(o.name) ?? true)
      .map((o) => ({ name: o.name, label: o.name, keyPrefix: o.keyPrefix, custom: false, queryable: true })),
  }),
);

sobjects.get('/:type/describe', (c) => c.json(describe(c, objectFromUrl(c.get('org').store.schema, c.req.param('type')))));

sobjects.post('/:type', async (c) => {
  const object = c.get('org').store.objectDef(objectFromUrl(c.get('org').store.schema, c.req.param('type')));
  const values = deserialize(object, await readRecordBody(c));
  return c.json(createRecord(c.get('org').store, object, values, writeContext(c)), 201);
});

sobjects.get('/:type/:id', (c) => {
  const object = objectFromUrl(c.get('org').store.schema, c.req.param('type'));
  return c.json(recordBody(c, object, recordFromUrl(c, object, c.req.param('id')), c.req.query('fields')));
});

sobjects.patch('/:type/:id', async (c) => {
  const object = c.get('org').store.objectDef(objectFromUrl(c.get('org').store.schema, c.req.param('type')));
  const record = recordFromUrl(c, object, c.req.param('id'));
  const values = deserialize(object, await readRecordBody(c));
  c.get('org').store.update(object, String(record.Id), values, writeContext(c));
  return c.body(null, 204);
});

sobjects.delete('/:type/:id', (c) => {
  const object = objectFromUrl(c.get('org').store.schema, c.req.param('type'));
  const record = recordFromUrl(c, object, c.req.param('id'));
  deleteRecord(c.get('org').store, object, record.Id, writeContext(c));
  return c.body(null, 204);
});

sobjects.get('/:type/:field/:value', (c) => {
  const object = objectFromUrl(c.get('org').store.schema, c.req.param('type'));
  const field = externalIdField(object, c.req.param('field'));
  const matches = c.get('org').store.findByExternalId(object, field, c.req.param('value'));
  if (matches.length === 0) throw notFound();
  if (matches.length > 1)
    return c.json(
      matches.map((r) => recordUrl(c, object.name, r.Id)),
      300,
    );
  return c.json(recordBody(c, object, matches[0]!, c.req.query('fields')));
});

/**
 * Upsert one record by external id: 201 when created, 200 when updated, 300 with the matching records' URLs when
 * the key matches several. The key is in the URL only: an external id or Id in the body is an error.
 */
sobjects.patch('/:type/:field/:value', async (c) => {
  const object = objectFromUrl(c.get('org').store.schema, c.req.param('type'));
  const field = externalIdField(object, c.req.param('field'));
  const body = await readRecordBody(c);
  const inBody = Object.keys(body).filter((k) => ['id', field.toLowerCase()].includes(k.toLowerCase()));
  if (inBody.length > 0) {
    throw new ApiError(
      400,
      'INVALID_FIELD',
      `${inBody.join(', ')}: do not specify Id or an external ID field in the request body of an upsert; the key is the URL's`,
      inBody,
    );
  }
  const { store, commits } = c.get('org');
  const values = deserialize(object, body).set(field, c.req.param('value'));
  const matches = upsertMatches(store, object, field, values);
  if (matches.length > 1)
    return c.json(
      matches.map((r) => recordUrl(c, object.name, r.Id)),
      300,
    );
  await commits.reached();
  const result = upsertRecord(store, object, field, values, writeContext(c), matches);
  return c.json(result, result.created ? 201 : 200);
});
