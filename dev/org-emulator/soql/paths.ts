// Local Salesforce org emulator (not Salesforce): field paths in SOQL (`Name`, `Owner.Name`, `Opportunity.Account.Name`).

import { ApiError } from '../errors.ts';
import { findField, findRelationship, type FieldDef, type ObjectDef, type OrgSchema, type StoredRecord } from '../schema.ts';
import type { OrgStore } from '../store.ts';
import { parseDate, parseDateTime } from '../time.ts';

interface RelationshipStep {
  /** The reference field followed (`OwnerId`). */
  field: string;
  /** The name the result uses (`Owner`). */
  relationshipName: string;
  /** Whether the lookup can point at several objects (WhatId, WhoId): such parents come back typed `Name`. */
  polymorphic: boolean;
}

export interface FieldPath {
  steps: RelationshipStep[];
  field: string;
  def: FieldDef;
  /** The path as written, for error messages. */
  text: string;
}

const POLYMORPHIC_FIELDS = new Set(['WhatId', 'WhoId']);

const noSuchColumn = (text: string, object: ObjectDef) =>
  new ApiError(
    400,
    'INVALID_FIELD',
    `No such column '${text}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );

/** Resolves a dotted path against an object, case-insensitively; unknown names are INVALID_FIELD like Salesforce. */
export function resolvePath(schema: OrgSchema, object: ObjectDef, text: string): FieldPath {
  const parts = text.split('.');
  // A path may start with the object's own name: `Opportunity.Name` in `FROM Opportunity`.
  if (parts.length > 1 && parts[0]!.toLowerCase() === object.name.toLowerCase() && !findRelationship(object, parts[0]!)) parts.shift();
  const steps: RelationshipStep[] = [];
  let candidates: ObjectDef[] = [object];
  for (const part of parts.slice(0, -1)) {
    const owner = candidates.find((o) => findRelationship(o, part));
    const field = owner && findRelationship(owner, part);
    if (!owner || !field) {
      throw new ApiError(
        400,
        'INVALID_FIELD',
        `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    const def = owner.fields[field]!;
    steps.push({ field, relationshipName: def.relationshipName!, polymorphic: POLYMORPHIC_FIELDS.has(field) });
    candidates = def.referenceTo!.map((name) => schema.objects[name]!);
  }
  const last = parts[parts.length - 1]!;
  const owner = candidates.find((o) => findField(o, last));
  if (!owner) throw noSuchColumn(text, candidates[0]!);
  const field = findField(owner, last)!;
  return { steps, field, def: owner.fields[field]!, text };
}

/** The parent record a path's steps lead to, or null when a lookup on the way is empty. */
export function followSteps(store: OrgStore, record: StoredRecord, steps: RelationshipStep[]): StoredRecord | null {
  let current: StoredRecord | null = record;
  for (const step of steps) {
    const id: unknown = current[step.field];
    current = typeof id === 'string' ? (store.find(id) ?? null) : null;
    if (!current) return null;
  }
  return current;
}

/** The value at the end of a path, or null. */
export function readPath(store: OrgStore, record: StoredRecord, path: FieldPath): unknown {
  const target = followSteps(store, record, path.steps);
  if (!target) return null;
  const name = Object.keys(target).find((k) => k.toLowerCase() === path.field.toLowerCase());
  return name === undefined ? null : (target[name] ?? null);
}

/** A value in a form that compares correctly: epoch ms for dates, lower case for text, 15 chars for ids. */
export function comparable(def: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (def.type) {
    case 'date':
      return parseDate(String(value));
    case 'datetime':
      return parseDateTime(String(value));
    case 'id':
    case 'reference':
      return String(value).slice(0, 15);
    case 'boolean':
    case 'currency':
    case 'double':
    case 'percent':
    case 'int':
      return value;
    default:
      return String(value).toLowerCase();
  }
}
