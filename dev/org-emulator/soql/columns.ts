// Local Salesforce org emulator (not Salesforce): `query?q=...&columns=true`, the column description of a query
// that the Developer Console and the Salesforce CLI (`sf data query`) ask for before they run it. Salesforce does
// not document this option; the shape here is what those clients read: columnName, joinColumns, aggregate.

import { parseQuery } from '@jetstreamapp/soql-parser-js';
import { ApiError } from '../errors.ts';
import type { OrgStore } from '../store.ts';
import { compileSelect, type Selection } from './select.ts';

interface Column {
  aggregate: boolean;
  columnName: string;
  displayName: string;
  joinColumns: Column[];
}

const column = (name: string, joinColumns: Column[] = [], aggregate = false): Column => ({
  aggregate,
  columnName: name,
  displayName: name,
  joinColumns,
});

/** A field path as nested columns: `Owner.Name` is column Owner joining column Name. */
function columnsOf(selection: Selection): Column {
  if (selection.kind === 'child') return column(selection.name, selection.plan.selections.map(columnsOf), true);
  const names = [...selection.path.steps.map((s) => s.relationshipName), selection.path.field];
  return names.reduceRight<Column | undefined>((inner, name) => column(name, inner ? [inner] : []), undefined)!;
}

/** The columns of a SOQL query, validated the way running it would validate its SELECT list. */
export function queryColumns(soql: string, store: OrgStore) {
  let query;
  try {
    query = parseQuery(soql);
  } catch (err) {
    throw new ApiError(400, 'MALFORMED_QUERY', (err as Error).message.split('\n')[0]!);
  }
  const object = store.schema.find(query.sObject ?? '');
  if (!object) throw new ApiError(400, 'INVALID_TYPE', `sObject type '${query.sObject}' is not supported.`);
  const selections = compileSelect(object, query.fields ?? [], { store, today: store.clock.today(), semiJoin: () => [] }, true);
  return {
    columnMetadata: selections.map(columnsOf),
    entityName: object.name,
    groupBy: false,
    idSelected: selections.some((s) => s.kind === 'field' && s.path.steps.length === 0 && s.path.field === 'Id'),
    keyPrefix: object.keyPrefix,
  };
}
