// Local Salesforce org emulator (not Salesforce): an org shape — what makes one customer's org differ from the demo
// org: its edition and language, which features are on (an object whose feature is off does not exist), its picklist
// values, the fields it requires and its validation rules. Loaded beside the seed (`--shape FILE`, `{ shape }`).

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { recordError } from './errors.ts';
import type { FieldDef, ObjectDef, RecordLookup, StoredRecord } from './schema.ts';

const fieldRef = z.string().regex(/^[A-Za-z]\w*\.[A-Za-z]\w*$/, 'Object.Field');

const condition = z.strictObject({
  field: z.string().min(1),
  /** blank / notBlank: null or ''; equals / notEquals / in: the stored value as text (numbers too). */
  op: z.enum(['blank', 'notBlank', 'equals', 'notEquals', 'in']),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  values: z.array(z.string()).optional(),
});

const validationRule = z.strictObject({
  object: z.string().min(1),
  name: z.string().regex(/^[A-Za-z]\w*$/),
  /** The rule fires when every condition holds (Salesforce's error condition formula, reduced to an AND). */
  errorCondition: z.array(condition).min(1),
  message: z.string().min(1),
  /** The field the error shows on; without it, the error is on the record (no fields). */
  errorField: z.string().optional(),
});

const recordType = z.strictObject({
  developerName: z.string().regex(/^[A-Za-z]\w*$/),
  /** The label (RecordType.Name), in the org's language. */
  name: z.string().min(1),
  active: z.boolean().optional(),
});

export const orgShapeSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  edition: z.enum(['Developer Edition', 'Enterprise Edition', 'Unlimited Edition', 'Professional Edition']).optional(),
  /** The org's default language (Organization.LanguageLocaleKey), e.g. `de`. */
  language: z.string().min(2).optional(),
  features: z
    .strictObject({
      accountTeams: z.boolean(),
      opportunityTeams: z.boolean(),
      enhancedEmail: z.boolean(),
      customNotifications: z.boolean(),
    })
    .partial()
    .optional(),
  picklists: z
    .record(
      fieldRef,
      z.strictObject({
        values: z.array(z.string().min(1)).min(1),
        restricted: z.boolean().optional(),
        default: z.string().optional(),
        /** For Task.Status: the values that close a task (TaskStatus.IsClosed). */
        closed: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  /** Fields a create or update must fill (a required custom field, or one a page layout made universally required). */
  required: z.array(fieldRef).optional(),
  validationRules: z.array(validationRule).optional(),
  /**
   * Record types by object (`{ "Opportunity": [{ "developerName": "Renewal", "name": "Renewal" }] }`): such an object
   * has RecordTypeId (and the RecordType relationship); an object without record types has neither.
   */
  recordTypes: z.record(z.string(), z.array(recordType).min(1)).optional(),
  /** Profile names as the org's language spells them: `{ "Standard User": "Standardbenutzer" }`. */
  profileNames: z.record(z.string(), z.string()).optional(),
});

export type OrgShape = z.infer<typeof orgShapeSchema>;
type Feature = keyof NonNullable<OrgShape['features']>;

/** The objects each feature brings; off, they do not exist in the org (Setup > Account Teams, Team Selling, ...). */
const FEATURE_OBJECTS: Record<Feature, string[]> = {
  accountTeams: ['AccountTeamMember'],
  opportunityTeams: ['OpportunityTeamMember'],
  enhancedEmail: ['EmailMessage'],
  customNotifications: ['CustomNotificationType'],
};

/** Opportunity.RecordTypeId (Object Reference, Opportunity): a lookup to RecordType, relationship `RecordType`. */
const RECORD_TYPE_ID: FieldDef = {
  type: 'reference',
  label: 'Record Type ID',
  referenceTo: ['RecordType'],
  relationshipName: 'RecordType',
};

/** Reads and checks a shape file. */
export function loadShape(path: string): OrgShape {
  return orgShapeSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** A shape applied to the org's schema: which objects exist, and each object's fields as this org defines them. */
export class AppliedShape {
  private readonly hidden: Set<string>;
  private readonly shaped = new Map<string, ObjectDef>();

  constructor(readonly shape: OrgShape) {
    const off = Object.entries(shape.features ?? {}).filter(([, on]) => on === false);
    this.hidden = new Set(off.flatMap(([feature]) => FEATURE_OBJECTS[feature as Feature]));
  }

  /** False for an object whose feature is off: queries answer INVALID_TYPE, the REST resource 404. */
  exists(objectName: string): boolean {
    return !this.hidden.has(objectName);
  }

  /** The object with this org's picklist values, required fields, Task closing statuses and record type field. */
  objectDef(object: ObjectDef): ObjectDef {
    const cached = this.shaped.get(object.name);
    if (cached) return cached;
    const fields: Record<string, FieldDef> = { ...object.fields };
    for (const [ref, p] of Object.entries(this.shape.picklists ?? {})) {
      const [type, field] = ref.split('.') as [string, string];
      if (type !== object.name || !fields[field]) continue;
      fields[field] = {
        ...fields[field],
        picklistValues: p.values,
        restricted: p.restricted ?? fields[field].restricted,
        defaultValue: p.default ?? (p.values.includes(String(fields[field].defaultValue)) ? fields[field].defaultValue : undefined),
      };
      if (ref === 'Task.Status' && p.closed && fields.IsClosed) {
        const closed = new Set(p.closed);
        fields.IsClosed = { ...fields.IsClosed, formula: (r: StoredRecord) => closed.has(String(r.Status)) };
      }
    }
    for (const ref of this.shape.required ?? []) {
      const [type, field] = ref.split('.') as [string, string];
      if (type === object.name && fields[field]) fields[field] = { ...fields[field], required: true };
    }
    // "If your organization has record types defined for this object" (Frequently Occurring Fields, RecordTypeId): the
    // field exists only then; otherwise naming it is INVALID_FIELD "No such column 'RecordTypeId'".
    if (this.shape.recordTypes?.[object.name]) fields.RecordTypeId = RECORD_TYPE_ID;
    const def = { ...object, fields };
    this.shaped.set(object.name, def);
    return def;
  }

  /**
   * A RecordTypeId written must be an active record type of this object: INVALID_CROSS_REFERENCE_KEY "Record Type ID:
   * this ID value isn't valid for the user" otherwise (as an org answers it).
   */
  checkRecordType(object: ObjectDef, written: ReadonlyMap<string, unknown>, lookup: RecordLookup): void {
    const id = written.get('RecordTypeId');
    if (id === undefined || id === null) return;
    const type = lookup(id)?.record;
    if (type?.SobjectType !== object.name || type.IsActive !== true)
      throw recordError('INVALID_CROSS_REFERENCE_KEY', `Record Type ID: this ID value isn't valid for the user: ${String(id)}`, [
        'RecordTypeId',
      ]);
  }

  /** Throws FIELD_CUSTOM_VALIDATION_EXCEPTION for the first active rule the record (as it would be saved) breaks. */
  checkValidationRules(object: ObjectDef, record: StoredRecord): void {
    for (const rule of this.shape.validationRules ?? []) {
      if (rule.object !== object.name) continue;
      if (rule.errorCondition.every((c) => holds(c, record[c.field]))) {
        throw recordError('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, rule.errorField ? [rule.errorField] : []);
      }
    }
  }
}

function holds(c: z.infer<typeof condition>, raw: unknown): boolean {
  const blank = raw === null || raw === undefined || raw === '';
  const text = blank ? '' : String(raw);
  switch (c.op) {
    case 'blank':
      return blank;
    case 'notBlank':
      return !blank;
    case 'equals':
      return text === String(c.value);
    case 'notEquals':
      return text !== String(c.value);
    case 'in':
      return (c.values ?? []).includes(text);
  }
}
