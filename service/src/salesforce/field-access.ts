import { LRUCache } from 'lru-cache';
import type { SoqlReader } from './context.ts';
import { SALESFORCE_ID, soqlId } from './ids.ts';
import { soqlIdList, soqlString } from './soql.ts';

/** The objects whose fields the service shows a CSM (the context, the portfolio): only their field permissions are read. */
const OBJECTS_READ = [
  'Opportunity',
  'Account',
  'Contact',
  'User',
  'OpportunityContactRole',
  'OpportunityTeamMember',
  'AccountTeamMember',
  'Task',
  'Event',
] as const;

/**
 * Fields Salesforce never gives field permissions to, because every user who can see the record can read them: the
 * record id, the audit fields, the owner and the required fields (Object Reference, FieldPermissions: "The following
 * field types don't return a FieldPermissions record because they are assumed to always be readable"). Required
 * fields are named per object; the rest hold on every object.
 */
const ALWAYS_READABLE_ON_EVERY_OBJECT = new Set(
  ['Id', 'Name', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'OwnerId'].map((f) =>
    f.toLowerCase(),
  ),
);
const ALWAYS_READABLE_REQUIRED = new Set(
  [
    'Opportunity.CloseDate',
    'Opportunity.StageName',
    'Contact.LastName',
    'User.Email',
    'User.Username',
    'User.LastName',
    'Task.Status',
    'Task.Priority',
    'Event.StartDateTime',
    'Event.EndDateTime',
    'OpportunityContactRole.OpportunityId',
    'OpportunityContactRole.ContactId',
    'OpportunityTeamMember.OpportunityId',
    'OpportunityTeamMember.UserId',
    'AccountTeamMember.AccountId',
    'AccountTeamMember.UserId',
  ].map((f) => f.toLowerCase()),
);

/** Whether a field (`Object.Field`) is one Salesforce keeps no field permissions for: always readable. */
export function isAlwaysReadable(field: string): boolean {
  const name = field.slice(field.indexOf('.') + 1).toLowerCase();
  return ALWAYS_READABLE_ON_EVERY_OBJECT.has(name) || ALWAYS_READABLE_REQUIRED.has(field.toLowerCase());
}

/** One `FieldPermissions` row as the service reads it. */
interface FieldPermissionRow {
  Field: string;
  PermissionsRead: boolean;
}

/** What one user may read, field by field (`Object.Field`, as FieldPermissions names them). */
export interface ReadableFields {
  canRead(field: string): boolean;
}

/**
 * A user's field access from the FieldPermissions rows of every permission set that applies to them: the one their
 * profile owns and those assigned to them. Access is their union (permission sets only grant, never deny); a
 * permissionable field with no row granting Read is not readable; always-readable fields need no row.
 *
 * @example readableFieldsOf([{ Field: 'Opportunity.Amount', PermissionsRead: true }]).canRead('Opportunity.Amount') // true
 */
export function readableFieldsOf(rows: FieldPermissionRow[]): ReadableFields {
  const granted = new Set(rows.filter((r) => r.PermissionsRead === true).map((r) => r.Field.toLowerCase()));
  return { canRead: (field) => isAlwaysReadable(field) || granted.has(field.toLowerCase()) };
}

/**
 * The SOQL of a user's field access, in two rounds: who they are (profile) and what is assigned to them, then the
 * FieldPermissions of the profile's own permission set (`Parent.ProfileId`) and of the assigned ones, for the objects
 * the service reads. (A real org also lists the profile's set among the assignments; the profile is asked for by name
 * so that nothing depends on it.)
 */
const fieldAccessSoql = {
  profile: (userId: string) => `SELECT ProfileId FROM User WHERE Id = ${soqlId(userId)}`,
  assignments: (userId: string) => `SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${soqlId(userId)}`,
  permissions(profileId: string | null, permissionSetIds: string[]): string {
    const parents = [
      ...(profileId ? [`Parent.ProfileId = ${soqlId(profileId)}`] : []),
      ...(permissionSetIds.length ? [`ParentId IN ${soqlIdList(permissionSetIds)}`] : []),
    ];
    const objects = OBJECTS_READ.map(soqlString).join(', ');
    return `SELECT Field, PermissionsRead FROM FieldPermissions WHERE SobjectType IN (${objects}) AND PermissionsRead = true AND (${parents.join(' OR ')})`;
  },
};

/** Reads a user's field access from the org (three queries in two API calls, through the gateway's composite). */
export async function loadReadableFields(read: SoqlReader, userId: string): Promise<ReadableFields> {
  if (!SALESFORCE_ID.test(userId)) throw new Error('loadReadableFields needs a Salesforce user id');
  const [users, assignments] = await Promise.all([
    read<{ ProfileId: string | null }>(fieldAccessSoql.profile(userId)),
    read<{ PermissionSetId: string | null }>(fieldAccessSoql.assignments(userId)),
  ]);
  const profileId = users[0]?.ProfileId ?? null;
  const sets = assignments.map((a) => a.PermissionSetId).filter((id): id is string => typeof id === 'string' && SALESFORCE_ID.test(id));
  // No profile and no permission set (an unknown user): nothing permissionable is readable.
  if (!profileId && sets.length === 0) return readableFieldsOf([]);
  return readableFieldsOf(await read<FieldPermissionRow & Record<string, unknown>>(fieldAccessSoql.permissions(profileId, sets)));
}

/**
 * Field access per user, cached for a short lifetime (FIELD_ACCESS_CACHE_SECONDS) and bounded in entries: a change of
 * a user's permissions in Salesforce shows within the lifetime. `now` is the monotonic clock the lifetime is measured
 * on (tests move it on instead of waiting).
 */
export class FieldAccess {
  private readonly cache: LRUCache<string, Promise<ReadableFields>> | undefined;

  constructor(
    private readonly read: SoqlReader,
    opts: { ttlMs: number; maxUsers?: number; now?: () => number },
  ) {
    // lru-cache reads a ttl of 0 as "forever": no lifetime means no cache.
    if (opts.ttlMs > 0)
      this.cache = new LRUCache({
        max: opts.maxUsers ?? 1000,
        ttl: opts.ttlMs,
        // lru-cache takes an entry set at time 0 for one without a start (never stale): a clock from 0 is moved by 1.
        perf: opts.now ? { now: () => opts.now!() + 1 } : undefined,
        // Read the clock at every look-up (the default caches it for 1 ms of real time, which a moved clock would outrun).
        ttlResolution: 0,
      });
  }

  /** What the user may read (one load per user and lifetime; a failed load is not kept). */
  readable(userId: string): Promise<ReadableFields> {
    const hit = this.cache?.get(userId);
    if (hit) return hit;
    const loading = loadReadableFields(this.read, userId);
    if (this.cache) {
      this.cache.set(userId, loading);
      loading.catch(() => this.cache?.delete(userId));
    }
    return loading;
  }
}
