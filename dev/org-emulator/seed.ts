// Local Salesforce org emulator (not Salesforce): seed data — its schema and loading it into a store.
// Dates in a seed are usually relative to "today" (`{ "daysFromToday": 165 }`), so the demo story never goes stale.

import { z } from 'zod';
import type { Share } from './access.ts';
import { RecordFailure } from './errors.ts';
import { toId18 } from './ids.ts';
import { readPackageFields } from './package-fields.ts';
import { OrgSchema, type FieldDef, type ObjectDef } from './schema.ts';
import type { OrgStore } from './store.ts';
import { addDays, formatDateTime, parseDate, parseDateTime } from './time.ts';
import { deserialize } from './validate.ts';

/** Objects in the order they are loaded, parents before children. */
const SEED_OBJECTS = [
  'Profile',
  'PermissionSet',
  'FieldPermissions',
  'User',
  'PermissionSetAssignment',
  'Group',
  'QueueSobject',
  'CustomNotificationType',
  'Holiday',
  'BusinessHours',
  'Account',
  'Contact',
  'Opportunity',
  'OpportunityContactRole',
  'OpportunityTeamMember',
  'AccountTeamMember',
  'Task',
  'Event',
  'EventRelation',
  'EmailMessage',
] as const;

const relativeDate = z.strictObject({ daysFromToday: z.number().int() });
const relativeDateTime = z.strictObject({ daysFromToday: z.number().int(), time: z.string().regex(/^\d{2}:\d{2}$/) });
const recordId = (prefix?: string) =>
  z.string().refine((v) => toId18(v) !== undefined && (!prefix || v.startsWith(prefix)), {
    message: `must be a valid Salesforce id${prefix ? ` starting with ${prefix}` : ''}`,
  });

function fieldSchema(def: FieldDef): z.ZodType {
  switch (def.type) {
    case 'id':
    case 'reference':
      return recordId();
    case 'boolean':
      return z.boolean();
    case 'currency':
    case 'double':
    case 'percent':
      return z.number();
    case 'int':
      return z.number().int();
    case 'date':
      return z.union([z.string().refine((v) => parseDate(v) !== undefined, 'must be YYYY-MM-DD'), relativeDate]);
    case 'datetime':
      return z.union([z.string().refine((v) => parseDateTime(v) !== undefined, 'must be ISO 8601'), relativeDateTime]);
    default:
      return z.string();
  }
}

/** Seed records use API field names; formulas and IsDeleted are computed, Id is required. */
function recordSchema(object: ObjectDef) {
  const fields = Object.entries(object.fields)
    .filter(([name, def]) => !def.formula && name !== 'IsDeleted' && name !== 'SystemModstamp')
    .map(([name, def]) => [name, name === 'Id' ? recordId(object.keyPrefix) : fieldSchema(def).nullable().optional()]);
  return z.strictObject(Object.fromEntries(fields));
}

const shareSchema = z.strictObject({
  userId: recordId('005'),
  recordId: recordId(),
  access: z.enum(['Read', 'Edit']),
});

const buildSeedSchema = (schema: OrgSchema) =>
  z.strictObject({
    description: z.string().optional(),
    ...Object.fromEntries(SEED_OBJECTS.map((name) => [name, z.array(recordSchema(schema.objects[name]!)).default([])])),
    shares: z.array(shareSchema).default([]),
  });
const seedSchemas = new Map<string, ReturnType<typeof buildSeedSchema>>();

/** Seed data of an org with these objects (custom fields included); built once per set of package fields. */
function seedSchema(schema: OrgSchema): ReturnType<typeof buildSeedSchema> {
  let built = seedSchemas.get(schema.key);
  if (!built) seedSchemas.set(schema.key, (built = buildSeedSchema(schema)));
  return built;
}

export type SeedRecord = Record<string, unknown>;
/** Seed data as written in a file: records per sObject name, plus record shares. */
export type SeedData = { description?: string; shares?: z.input<typeof shareSchema>[] } & {
  [name in (typeof SEED_OBJECTS)[number]]?: SeedRecord[];
};

/**
 * Validates seed data for an org with the standard objects and, given a package source (see `packageSource` of
 * startOrgEmulator), its custom fields; the error names the record and field at fault.
 */
export function parseSeed(input: unknown, packageSource?: string): SeedData {
  return seedSchema(new OrgSchema(packageSource ? readPackageFields(packageSource) : {})).parse(input) as SeedData;
}

/** Resolves `{ daysFromToday, time? }` against today's date (UTC). */
function resolveValue(value: unknown, today: string): unknown {
  if (!value || typeof value !== 'object' || !('daysFromToday' in value)) return value;
  const { daysFromToday, time } = value as { daysFromToday: number; time?: string };
  const day = addDays(today, daysFromToday);
  return time === undefined ? day : formatDateTime(parseDateTime(`${day}T${time}:00Z`)!);
}

/**
 * Loads validated seed data into an empty store; returns the shares and the default running user
 * (the first active System Administrator, who also "created" every seed record).
 */
export function loadSeed(store: OrgStore, input: SeedData): { shares: Share[]; defaultUserId: string } {
  const seed = seedSchema(store.schema).parse(input) as unknown as Record<string, SeedRecord[]> & { shares: Share[] };
  const today = store.clock.today();
  const adminProfiles = new Set(seed.Profile!.filter((p) => p.Name === 'System Administrator').map((p) => toId18(String(p.Id))));
  const admin =
    seed.User!.find((u) => u.IsActive !== false && adminProfiles.has(toId18(String(u.ProfileId)))) ??
    seed.User!.find((u) => u.IsActive !== false);
  if (!admin) throw new Error('Seed data needs at least one active User');
  const defaultUserId = toId18(String(admin.Id))!;
  const created = formatDateTime(Date.parse(`${addDays(today, -400)}T09:00:00Z`));

  for (const name of SEED_OBJECTS) {
    const object = store.schema.objects[name]!;
    for (const raw of seed[name]!) {
      const resolved = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, resolveValue(v, today)]));
      resolved.Id = toId18(String(raw.Id));
      const values = deserialize(object, { CreatedDate: created, CreatedById: defaultUserId, ...resolved });
      try {
        store.create(object, values, { userId: defaultUserId, seed: true });
      } catch (err) {
        if (err instanceof RecordFailure) throw new Error(`Seed ${name} ${raw.Id}: ${err.error.statusCode}: ${err.message}`);
        throw err;
      }
    }
  }
  return { shares: seed.shares.map((s) => ({ ...s, userId: toId18(s.userId)!, recordId: toId18(s.recordId)! })), defaultUserId };
}
