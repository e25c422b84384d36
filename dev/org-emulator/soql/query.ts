// Local Salesforce org emulator (not Salesforce): runs a SOQL query against the store.
// Parsing is soql-parser-js's; this file checks what the emulator supports and evaluates the parsed query.

import { parseQuery, type FieldFunctionExpression, type Query } from '@jetstreamapp/soql-parser-js';
import type { Share } from '../access.ts';
import { ApiError } from '../errors.ts';
import type { OrgStore } from '../store.ts';
import { readPath, resolvePath } from './paths.ts';
import { compileOrderBy, compileSelect, project, window } from './select.ts';
import { queryUserRecordAccess } from './user-record-access.ts';
import { compileWhere, type WhereContext } from './where.ts';

interface QueryContext {
  store: OrgStore;
  shares: Share[];
  /** API version from the URL, e.g. `62.0`; used in `attributes.url`. */
  version: string;
  /** queryAll: include records in the recycle bin. */
  includeDeleted: boolean;
  /** The user the session runs as. */
  runningUserId: string;
}

interface QueryRows {
  totalSize: number;
  records: Record<string, unknown>[];
}

const MAX_OFFSET = 2000;

const unsupported = (what: string) =>
  new ApiError(400, 'NOT_SUPPORTED_BY_ORG_EMULATOR', `The local Salesforce org emulator does not support ${what}.`);

/** Parses with soql-parser-js; syntax errors are MALFORMED_QUERY like Salesforce's. */
function parse(soql: string): Query {
  try {
    return parseQuery(soql);
  } catch (err) {
    const detail = (err as Error).message.split('\n')[0];
    throw new ApiError(400, 'MALFORMED_QUERY', `\n${soql}\nunexpected token: ${detail}`);
  }
}

/** Every matching row, projected; the route pages them. */
export function runQuery(soql: string, ctx: QueryContext): QueryRows {
  const query = parse(soql);
  if (query.sObject?.toLowerCase() === 'userrecordaccess') return queryUserRecordAccess(query, ctx);
  const found = ctx.store.schema.find(query.sObject ?? '');
  // An object whose feature is off in this org's shape does not exist (Account Teams, Team Selling, Enhanced Email);
  // the others are read as the org defines them (RecordTypeId only where the object has record types).
  const object = found && (ctx.store.shape?.exists(found.name) ?? true) ? ctx.store.objectDef(found) : undefined;
  if (!object) {
    throw new ApiError(
      400,
      'INVALID_TYPE',
      `\n${soql}\nsObject type '${query.sObject}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  if (query.groupBy || query.having) throw unsupported('GROUP BY and HAVING');
  if (query.withDataCategory || query.for || query.update) throw unsupported('WITH DATA CATEGORY, FOR and UPDATE clauses');
  // Salesforce: "The maximum offset is 2,000 rows. Requesting an offset greater than 2,000 results in a
  // NUMBER_OUTSIDE_VALID_RANGE error."
  if ((query.offset ?? 0) > MAX_OFFSET) {
    throw new ApiError(400, 'NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  }
  // SOQL and SOSL Reference, OFFSET: "A subquery can use OFFSET only if the parent query has a LIMIT 1 clause."
  const childOffset = (query.fields ?? []).some((f) => f.type === 'FieldSubquery' && f.subquery.offset !== undefined);
  if (childOffset && query.limit !== 1) {
    throw new ApiError(400, 'MALFORMED_QUERY', `\n${soql}\nOFFSET in a sub-query needs LIMIT 1 on the outer query`);
  }

  const whereContext: WhereContext = {
    store: ctx.store,
    today: ctx.store.clock.today(),
    semiJoin: (inner) => semiJoinValues(inner, ctx),
  };
  const fields = query.fields ?? [];
  const functions = fields.filter((f): f is FieldFunctionExpression => f.type === 'FieldFunctionExpression');
  const filter = compileWhere(object, query.where, whereContext);
  const sort = compileOrderBy(object, query.orderBy, ctx.store);
  const matching = ctx.store.list(object.name, ctx.includeDeleted).filter(filter);
  const rows = window(matching, sort, query.offset, query.limit);

  if (functions.length > 0) {
    if (functions.length !== fields.length) throw new ApiError(400, 'MALFORMED_QUERY', 'Field must be grouped or aggregated');
    return aggregate(functions, object.name, rows.length, ctx);
  }
  const selections = compileSelect(object, fields, whereContext, true);
  const projectContext = { store: ctx.store, version: ctx.version };
  return { totalSize: rows.length, records: rows.map((r) => project(r, object, selections, projectContext)) };
}

/** COUNT() answers with totalSize only; COUNT(field) with one AggregateResult row. */
function aggregate(functions: FieldFunctionExpression[], type: string, count: number, ctx: QueryContext): QueryRows {
  if (functions.some((f) => f.functionName.toUpperCase() !== 'COUNT')) {
    throw unsupported(`aggregate functions other than COUNT (${functions.map((f) => f.rawValue).join(', ')})`);
  }
  if (functions.length === 1 && functions[0]!.parameters.length === 0) return { totalSize: count, records: [] };
  const row: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
  functions.forEach((f, i) => {
    const param = f.parameters[0];
    if (typeof param !== 'string') throw unsupported(f.rawValue ?? 'COUNT()');
    resolvePath(ctx.store.schema, ctx.store.schema.find(type)!, param);
    row[f.alias ?? `expr${i}`] = count;
  });
  return { totalSize: 1, records: [row] };
}

/** The values of the single field selected by a semi-join sub-query (`Id IN (SELECT ContactId FROM ...)`). */
function semiJoinValues(inner: Query, ctx: QueryContext): unknown[] {
  const found = ctx.store.schema.find(inner.sObject ?? '');
  const object = found && (ctx.store.shape?.exists(found.name) ?? true) ? ctx.store.objectDef(found) : undefined;
  if (!object) throw new ApiError(400, 'INVALID_TYPE', `sObject type '${inner.sObject}' is not supported.`);
  // OFFSET "is not allowed in most subqueries ... SELECT Name, Id FROM Merchandise__c WHERE Id IN (SELECT Id FROM
  // Discontinued_Merchandise__c LIMIT 100 OFFSET 20) ... returns a MALFORMED_QUERY error" (SOQL Reference, OFFSET).
  if (inner.offset !== undefined) throw new ApiError(400, 'MALFORMED_QUERY', 'OFFSET is not allowed in a semi-join sub-query');
  const [field, ...rest] = inner.fields ?? [];
  if (!field || rest.length > 0 || field.type !== 'Field') {
    throw new ApiError(400, 'MALFORMED_QUERY', 'A semi-join sub-query must select exactly one field');
  }
  const path = resolvePath(ctx.store.schema, object, field.field);
  const filter = compileWhere(object, inner.where, {
    store: ctx.store,
    today: ctx.store.clock.today(),
    semiJoin: (q) => semiJoinValues(q, ctx),
  });
  return ctx.store
    .list(object.name)
    .filter(filter)
    .map((r) => readPath(ctx.store, r, path));
}
