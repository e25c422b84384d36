// Local Salesforce org emulator (not Salesforce): SELECT lists, ORDER BY, and the JSON shape of query results.

import type { FieldType as SelectItem, OrderByClause } from '@jetstreamapp/soql-parser-js';
import { ApiError } from '../errors.ts';
import { findChildRelationship, isLongTextArea, type ObjectDef, type StoredRecord } from '../schema.ts';
import type { OrgStore } from '../store.ts';
import { comparable, followSteps, readPath, resolvePath, type FieldPath } from './paths.ts';
import { compileWhere, type WhereContext } from './where.ts';

export type Selection = { kind: 'field'; path: FieldPath } | { kind: 'child'; name: string; plan: ChildPlan };

interface ChildPlan {
  object: ObjectDef;
  /** The child's field that points at the parent (`OpportunityId`). */
  parentField: string;
  selections: Selection[];
  filter: (record: StoredRecord) => boolean;
  sort: (a: StoredRecord, b: StoredRecord) => number;
  limit?: number;
  offset?: number;
}

const unsupported = (what: string) =>
  new ApiError(400, 'NOT_SUPPORTED_BY_ORG_EMULATOR', `The local Salesforce org emulator does not support ${what}.`);

/** The same field reached the same way, however it is spelled: `Owner.Name`, `owner.name`, `Opportunity.Owner.Name`. */
const selectionKey = (s: Selection) =>
  (s.kind === 'child' ? `child:${s.name}` : [...s.path.steps.map((step) => step.relationshipName), s.path.field].join('.')).toLowerCase();

/**
 * Resolves every item of a SELECT list; child sub-queries are allowed only at the top level. Like Salesforce, a
 * field selected twice is an error (`duplicate field selected: CloseDate`).
 */
export function compileSelect(object: ObjectDef, items: SelectItem[], ctx: WhereContext, allowChildren: boolean): Selection[] {
  const selections = items.map((item) => compileItem(object, item, ctx, allowChildren));
  const seen = new Set<string>();
  for (const [i, selection] of selections.entries()) {
    const key = selectionKey(selection);
    if (seen.has(key)) {
      const written = (items[i] as { rawValue?: string; field?: string }).rawValue ?? (items[i] as { field?: string }).field ?? key;
      throw new ApiError(400, 'INVALID_FIELD', `duplicate field selected: ${written}`);
    }
    seen.add(key);
  }
  return selections;
}

function compileItem(object: ObjectDef, item: SelectItem, ctx: WhereContext, allowChildren: boolean): Selection {
  switch (item.type) {
    case 'Field':
      return { kind: 'field', path: resolvePath(ctx.store.schema, object, item.field) };
    case 'FieldRelationship':
      return { kind: 'field', path: resolvePath(ctx.store.schema, object, [...item.relationships, item.field].join('.')) };
    case 'FieldSubquery': {
      if (!allowChildren) throw unsupported('nested child sub-queries');
      const sub = item.subquery;
      const found = findChildRelationship(object, sub.relationshipName);
      // A child relationship to an object whose feature is off does not exist either.
      const child = found && (ctx.store.shape?.exists(found[1].childObject) ?? true) ? found : undefined;
      if (!child) {
        throw new ApiError(
          400,
          'INVALID_TYPE',
          `Didn't understand relationship '${sub.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      const [name, { childObject, field }] = child;
      const childDef = ctx.store.schema.objects[childObject]!;
      if (sub.groupBy || sub.having) throw unsupported('GROUP BY in sub-queries');
      return {
        kind: 'child',
        name,
        plan: {
          object: childDef,
          parentField: field,
          selections: compileSelect(childDef, sub.fields ?? [], ctx, false),
          filter: compileWhere(childDef, sub.where, ctx),
          sort: compileOrderBy(childDef, sub.orderBy, ctx.store),
          limit: sub.limit,
          offset: sub.offset,
        },
      };
    }
    default:
      throw unsupported(`'${(item as { rawValue?: string }).rawValue ?? item.type}' in SELECT`);
  }
}

/** A comparator for ORDER BY: nulls come first unless NULLS LAST says otherwise (ASC and DESC alike). */
export function compileOrderBy(object: ObjectDef, orderBy: OrderByClause | OrderByClause[] | undefined, store: OrgStore) {
  const keys = [orderBy ?? []].flat().map((clause) => {
    if (!('field' in clause)) throw unsupported('functions in ORDER BY');
    const path = resolvePath(store.schema, object, clause.field);
    if (isLongTextArea(path.def)) throw new ApiError(400, 'INVALID_FIELD', `field '${path.field}' can not be sorted in a query call`);
    const descending = clause.order === 'DESC';
    // "By default, null values are sorted first" — for DESC as well as ASC.
    const nullsFirst = clause.nulls ? clause.nulls === 'FIRST' : true;
    return { path, descending, nullsFirst };
  });
  return (a: StoredRecord, b: StoredRecord): number => {
    for (const { path, descending, nullsFirst } of keys) {
      const [x, y] = [comparable(path.def, readPath(store, a, path)), comparable(path.def, readPath(store, b, path))];
      if (x === y) continue;
      if (x === null) return nullsFirst ? -1 : 1;
      if (y === null) return nullsFirst ? 1 : -1;
      const order = (x as number) < (y as number) ? -1 : 1;
      return descending ? -order : order;
    }
    return 0;
  };
}

/** Applies ORDER BY, OFFSET and LIMIT to filtered records. */
export function window<T>(records: T[], sort: (a: T, b: T) => number, offset = 0, limit?: number): T[] {
  const sorted = [...records].sort(sort);
  return sorted.slice(offset, limit === undefined ? undefined : offset + limit);
}

interface ProjectContext {
  store: OrgStore;
  version: string;
}

const attributes = (type: string, id: unknown, version: string) => ({ type, url: `/services/data/v${version}/sobjects/${type}/${id}` });

/** One result record: `attributes`, the selected fields, parents as nested objects (or null), children as results. */
export function project(record: StoredRecord, object: ObjectDef, selections: Selection[], ctx: ProjectContext): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(object.name, record.Id, ctx.version) };
  for (const selection of selections) {
    if (selection.kind === 'child') {
      out[selection.name] = childResult(record, selection.plan, ctx);
      continue;
    }
    const { path } = selection;
    let target = out;
    let reached = true;
    for (const [i, step] of path.steps.entries()) {
      const parent = followSteps(ctx.store, record, path.steps.slice(0, i + 1));
      if (!parent) {
        if (!(step.relationshipName in target)) target[step.relationshipName] = null;
        reached = false;
        break;
      }
      if (!target[step.relationshipName]) {
        const { url, type } = attributes(ctx.store.schema.forId(String(parent.Id))!.name, parent.Id, ctx.version);
        target[step.relationshipName] = { attributes: { type: step.polymorphic ? 'Name' : type, url } };
      }
      target = target[step.relationshipName] as Record<string, unknown>;
    }
    if (reached) target[path.field] = readPath(ctx.store, record, path);
  }
  return out;
}

function childResult(parent: StoredRecord, plan: ChildPlan, ctx: ProjectContext) {
  const children = ctx.store.list(plan.object.name).filter((r) => r[plan.parentField] === parent.Id && plan.filter(r));
  const rows = window(children, plan.sort, plan.offset, plan.limit);
  if (rows.length === 0) return null;
  return {
    totalSize: rows.length,
    done: true,
    records: rows.map((r) => project(r, plan.object, plan.selections, ctx)),
  };
}
