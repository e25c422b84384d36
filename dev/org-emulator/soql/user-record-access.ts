// Local Salesforce org emulator (not Salesforce): the UserRecordAccess pseudo-object.
// Like Salesforce, it must select RecordId, be filtered by one UserId and by RecordId = or RecordId IN (at most 200
// ids), and it leaves out the records the running user cannot read.

import type { Query } from '@jetstreamapp/soql-parser-js';
import { recordAccess, type Share } from '../access.ts';
import { ApiError } from '../errors.ts';
import { toId18 } from '../ids.ts';
import type { OrgStore } from '../store.ts';
import { unquote } from './literals.ts';
import type { WhereChain } from './where.ts';

const FIELDS = ['RecordId', 'HasReadAccess', 'HasEditAccess', 'HasDeleteAccess', 'HasTransferAccess', 'HasAllAccess', 'MaxAccessLevel'];
const MAX_RECORD_IDS = 200;

interface UserRecordAccessContext {
  store: OrgStore;
  shares: Share[];
  version: string;
  runningUserId: string;
}

const malformed = (message: string) => new ApiError(400, 'MALFORMED_QUERY', message);

export function queryUserRecordAccess(query: Query, ctx: UserRecordAccessContext) {
  const fields = (query.fields ?? []).map((item) => {
    const name = item.type === 'Field' ? FIELDS.find((f) => f.toLowerCase() === item.field.toLowerCase()) : undefined;
    if (!name)
      throw new ApiError(
        400,
        'INVALID_FIELD',
        `No such column '${(item as { field?: string }).field ?? item.type}' on entity 'UserRecordAccess'.`,
      );
    return name;
  });
  if (!fields.includes('RecordId')) throw malformed('RecordId field must be selected');
  const { userId, recordIds } = filters(query);
  const readable = recordIds.filter((id) => recordAccess(ctx.store, ctx.shares, ctx.runningUserId, id).HasReadAccess);
  const records = readable.map((recordId) => {
    const access = recordAccess(ctx.store, ctx.shares, userId, recordId) as unknown as Record<string, unknown>;
    const row: Record<string, unknown> = {
      attributes: { type: 'UserRecordAccess', url: `/services/data/v${ctx.version}/sobjects/UserRecordAccess/${recordId}` },
    };
    for (const field of fields) row[field] = field === 'RecordId' ? recordId : access[field];
    return row;
  });
  return { totalSize: records.length, records };
}

/** Reads `UserId = '...' AND (RecordId = '...' | RecordId IN (...))`; anything else is refused. */
function filters(query: Query): { userId: string; recordIds: string[] } {
  let userId: string | undefined;
  let recordIds: string[] | undefined;
  for (let node = query.where as WhereChain | undefined; node; node = node.right) {
    const c = node.left as { field?: string; operator?: string; value?: string | string[]; openParen?: number } | null | undefined;
    if (!c || typeof c.field !== 'string' || c.openParen || (node.operator && node.operator !== 'AND')) {
      throw malformed('UserRecordAccess filters may only be combined with AND');
    }
    const values = ([c.value].flat() as string[]).map((v) => {
      const id = toId18(unquote(v));
      if (!id) throw new ApiError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${unquote(v)}`);
      return id;
    });
    const field = String(c.field).toLowerCase();
    if (field === 'userid' && c.operator === '=') userId = values[0];
    else if (field === 'recordid' && (c.operator === '=' || c.operator === 'IN')) recordIds = values;
    else throw malformed(`UserRecordAccess does not support the filter ${c.field} ${c.operator}`);
  }
  if (!userId || !recordIds) {
    throw malformed('UserRecordAccess queries must filter on UserId = and on RecordId = or RecordId IN');
  }
  if (recordIds.length > MAX_RECORD_IDS) {
    throw new ApiError(400, 'EXCEEDED_ID_LIMIT', `Number of records exceeds limit: ${MAX_RECORD_IDS}`);
  }
  return { userId, recordIds };
}
