// Local Salesforce org emulator (not Salesforce): /services/data/vXX.X/query and /queryAll, with paging.

import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import { apiVersion, type EmulatorContext, type EmulatorEnv } from '../org.ts';
import { queryColumns } from '../soql/columns.ts';
import { runQuery } from '../soql/query.ts';

export const query = new Hono<EmulatorEnv>();

const DEFAULT_BATCH = 2000;
const MAX_CURSORS = 100;

/** Page size: the `Sforce-Query-Options: batchSize=N` header (200 to 2000), else 2000. */
function batchSize(c: EmulatorContext): number {
  const requested = Number(/batchSize=(\d+)/i.exec(c.req.header('Sforce-Query-Options') ?? '')?.[1]);
  return Number.isFinite(requested) && requested > 0 ? Math.min(Math.max(requested, 200), DEFAULT_BATCH) : DEFAULT_BATCH;
}

/** One page of rows; the rest waits behind a query locator in nextRecordsUrl. */
function page(c: EmulatorContext, resource: string, cursorId: string, rows: Record<string, unknown>[], totalSize: number, offset: number) {
  const size = batchSize(c);
  const records = rows.slice(offset, offset + size);
  const done = offset + size >= rows.length;
  const { cursors } = c.get('org');
  if (done) {
    cursors.delete(cursorId);
    return c.json({ totalSize, done, records });
  }
  if (!cursors.has(cursorId)) {
    if (cursors.size >= MAX_CURSORS) cursors.delete(cursors.keys().next().value!);
    cursors.set(cursorId, rows);
  }
  const nextRecordsUrl = `/services/data/v${apiVersion(c)}/${resource}/${cursorId}-${offset + size}`;
  return c.json({ totalSize, done, nextRecordsUrl, records });
}

for (const [resource, includeDeleted] of [
  ['query', false],
  ['queryAll', true],
] as const) {
  query.get(`/${resource}`, (c) => {
    const soql = c.req.query('q');
    if (!soql) throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const org = c.get('org');
    if (c.req.query('columns') === 'true') return c.json(queryColumns(soql, org.store));
    const result = runQuery(soql, {
      store: org.store,
      shares: org.shares,
      version: apiVersion(c),
      includeDeleted,
      runningUserId: c.get('userId'),
    });
    const cursorId = `01g${randomBytes(9).toString('base64url')}`;
    return page(c, resource, cursorId, result.records, result.totalSize, 0);
  });

  query.get(`/${resource}/:locator`, (c) => {
    const locator = c.req.param('locator');
    const dash = locator.lastIndexOf('-');
    const cursorId = locator.slice(0, dash);
    const rows = c.get('org').cursors.get(cursorId);
    const offset = Number(locator.slice(dash + 1));
    if (dash < 0 || !rows || !Number.isInteger(offset)) {
      throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return page(c, resource, cursorId, rows, rows.length, offset);
  });
}
