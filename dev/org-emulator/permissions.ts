// Local Salesforce org emulator (not Salesforce): the rules of field-level security's setup objects, as the Object
// Reference states them for FieldPermissions, PermissionSet and PermissionSetAssignment. The emulator does not apply
// field-level security to reads: every session reads as the integration user, who can read every field.

import { recordError } from './errors.ts';
import { sameId } from './ids.ts';
import { findField, SYSTEM_FIELD_NAMES, type ObjectDef, type OrgSchema, type RecordLookup, type StoredRecord } from './schema.ts';

/**
 * Whether a field can carry field permissions. Salesforce keeps no FieldPermissions rows for the fields every user can
 * always read (Id, the audit fields, required fields such as Name, the owner, compound names): they describe as not
 * permissionable, and a row for one is refused.
 */
export function isPermissionable(object: ObjectDef, field: string): boolean {
  const def = object.fields[field];
  if (!def || def.type === 'id' || def.required || SYSTEM_FIELD_NAMES.includes(field)) return false;
  if (field === 'OwnerId' || (field === 'Name' && def.formula)) return false;
  return true;
}

/** Checks a setup record before it is stored (create and update); throws RecordFailure like any DML rule. */
export function checkPermissionRecord(
  schema: OrgSchema,
  object: ObjectDef,
  record: StoredRecord,
  lookup: RecordLookup,
  others: (type: string) => StoredRecord[],
): void {
  if (object.name === 'FieldPermissions') checkFieldPermissions(schema, record, others('FieldPermissions'));
  if (object.name === 'PermissionSetAssignment') checkAssignment(record, lookup, others('PermissionSetAssignment'));
}

function checkFieldPermissions(schema: OrgSchema, record: StoredRecord, rows: StoredRecord[]): void {
  const target = schema.find(String(record.SobjectType ?? ''));
  if (!target) throw badPicklist('SObject Type Name', 'SobjectType', record.SobjectType);
  record.SobjectType = target.name;
  // Field is `Object.Field`, prefixed with the SobjectType; a restricted picklist of the permissionable fields.
  const [prefix, name, ...rest] = String(record.Field ?? '').split('.');
  const field = name && rest.length === 0 && prefix?.toLowerCase() === target.name.toLowerCase() ? findField(target, name) : undefined;
  if (!field || !isPermissionable(target, field)) throw badPicklist('Field Name', 'Field', record.Field);
  record.Field = `${target.name}.${field}`;
  if (record.PermissionsEdit === true && record.PermissionsRead !== true)
    throw recordError('FIELD_INTEGRITY_EXCEPTION', 'Edit Field requires Read Field for the same field', ['PermissionsEdit']);
  const def = target.fields[field]!;
  if (record.PermissionsEdit === true && (def.formula || def.access === 'readOnly'))
    throw recordError('FIELD_INTEGRITY_EXCEPTION', `${record.Field} is read-only: only Read Field can be granted`, ['PermissionsEdit']);
  const clash = rows.find((r) => r.Id !== record.Id && sameId(String(r.ParentId), String(record.ParentId)) && r.Field === record.Field);
  if (clash)
    throw recordError('DUPLICATE_VALUE', `duplicate value found: Field duplicates value on record with id: ${clash.Id}`, ['Field']);
}

function checkAssignment(record: StoredRecord, lookup: RecordLookup, rows: StoredRecord[]): void {
  const set = lookup(record.PermissionSetId)?.record;
  if (set?.IsOwnedByProfile === true)
    throw recordError(
      'FIELD_INTEGRITY_EXCEPTION',
      "You can't assign or unassign this permission set because it's associated with a profile",
      ['PermissionSetId'],
    );
  const clash = rows.find(
    (r) =>
      r.Id !== record.Id &&
      sameId(String(r.AssigneeId), String(record.AssigneeId)) &&
      sameId(String(r.PermissionSetId), String(record.PermissionSetId)),
  );
  if (clash)
    throw recordError(
      'DUPLICATE_VALUE',
      `Duplicate PermissionSetAssignment. Assignee: ${record.AssigneeId}; Permission Set: ${record.PermissionSetId}`,
    );
}

const badPicklist = (label: string, field: string, value: unknown) =>
  recordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${label}: bad value for restricted picklist field: ${String(value)}`, [field]);
