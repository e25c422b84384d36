// Local Salesforce org emulator (not Salesforce): a deliberately small record-access model for UserRecordAccess.
// An active System Administrator sees and edits everything. Anyone else active reads and edits what they own,
// records of accounts they own, and records shared with them in the seed. Contact roles follow their opportunity.
// Inactive users see nothing.

import { sameId } from './ids.ts';
import type { StoredRecord } from './schema.ts';
import type { OrgStore } from './store.ts';

export interface Share {
  userId: string;
  recordId: string;
  access: 'Read' | 'Edit';
}

type AccessLevel = 'None' | 'Read' | 'Edit' | 'All';

interface RecordAccess {
  HasReadAccess: boolean;
  HasEditAccess: boolean;
  HasDeleteAccess: boolean;
  HasTransferAccess: boolean;
  HasAllAccess: boolean;
  MaxAccessLevel: AccessLevel;
}

const LEVELS: AccessLevel[] = ['None', 'Read', 'Edit', 'All'];

/** What a user may do with a record, in UserRecordAccess's terms. */
export function recordAccess(store: OrgStore, shares: Share[], userId: string, recordId: string): RecordAccess {
  const level = accessLevel(store, shares, userId, recordId);
  const rank = LEVELS.indexOf(level);
  return {
    HasReadAccess: rank >= 1,
    HasEditAccess: rank >= 2,
    HasDeleteAccess: rank >= 3,
    HasTransferAccess: rank >= 3,
    HasAllAccess: rank >= 3,
    MaxAccessLevel: level,
  };
}

function accessLevel(store: OrgStore, shares: Share[], userId: string, recordId: string): AccessLevel {
  const user = store.find(userId, 'User');
  if (!user || user.IsActive !== true) return 'None';
  if (store.find(String(user.ProfileId), 'Profile')?.PermissionsModifyAllData === true) return 'All';
  const found = store.lookup(recordId);
  if (!found || found.record.IsDeleted) return 'None';
  // Contact roles have no owner: access is that of their opportunity.
  const record = found.type === 'OpportunityContactRole' ? store.find(String(found.record.OpportunityId)) : found.record;
  if (!record) return 'None';
  const owns = (r: StoredRecord | undefined) => r !== undefined && typeof r.OwnerId === 'string' && sameId(r.OwnerId, user.Id as string);
  if (owns(record)) return 'All';
  const accountId = String(record.Id).startsWith('001') ? record.Id : record.AccountId;
  const levels: AccessLevel[] = ['None'];
  if (typeof accountId === 'string' && owns(store.find(accountId, 'Account'))) levels.push('Edit');
  for (const share of shares) {
    if (sameId(share.userId, String(user.Id)) && sameId(share.recordId, String(record.Id))) levels.push(share.access);
  }
  return levels.reduce((best, l) => (LEVELS.indexOf(l) > LEVELS.indexOf(best) ? l : best));
}
