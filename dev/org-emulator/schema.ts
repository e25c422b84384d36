// Local Salesforce org emulator (not Salesforce): the objects and fields it models.
// The standard objects and fields are in STANDARD_OBJECTS below; the custom fields a package deploys are read from its
// source (package-fields.ts) and added per org (OrgSchema). Validation, SOQL, describe and the seed read the OrgSchema.

import { eventRelationUnique, eventTimes, type RecordChange } from './event-rules.ts';

type FieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'boolean'
  | 'currency'
  | 'double'
  | 'percent'
  | 'int'
  | 'date'
  | 'datetime'
  | 'time'
  | 'email'
  | 'phone';

/** What the API may do with a field: read-write, set only on create, or only read. */
type FieldAccess = 'readWrite' | 'createOnly' | 'readOnly';

export type StoredRecord = Record<string, unknown>;

/** A package's custom fields by object API name (`Opportunity`, `Task`), each by field API name (package-fields.ts). */
export type PackageFields = Record<string, Record<string, FieldDef>>;

/** Looks up any record by id; formulas use it to follow lookups. */
export type RecordLookup = (id: unknown) => { type: string; record: StoredRecord } | undefined;

export interface FieldDef {
  type: FieldType;
  label?: string;
  length?: number;
  /** Digits in all and after the point, for currency, number and percent fields. */
  precision?: number;
  scale?: number;
  access?: FieldAccess;
  required?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  /** A custom lookup's relationship on the parent (the metadata's relationshipName; SOQL adds `__r`). */
  childRelationshipName?: string;
  picklistValues?: readonly string[];
  restricted?: boolean;
  defaultValue?: unknown;
  externalId?: boolean;
  unique?: boolean;
  /** Computed by the org on every write (read-only to the API). */
  formula?: (record: StoredRecord, lookup: RecordLookup) => unknown;
}

interface ChildRelationship {
  childObject: string;
  field: string;
}

export interface ObjectDef {
  name: string;
  keyPrefix: string;
  fields: Record<string, FieldDef>;
  children: Record<string, ChildRelationship>;
  /** A rule of the object on updates: the fields of `existing` that may not be updated now, and why (undefined: all may). */
  lockedOnUpdate?: (
    existing: StoredRecord,
    fields: string[],
    values: ReadonlyMap<string, unknown>,
  ) => { fields: string[]; reason: string } | undefined;
  /** The org's own rule on the record as it will be stored (it may fill derived fields); throws a RecordFailure. */
  recordRule?: (record: StoredRecord, change: RecordChange) => void;
}

// Field builders, so each field in OBJECTS reads as one line.
const text = (length: number, extra: Partial<FieldDef> = {}): FieldDef => ({ type: 'string', length, ...extra });
const longText = (length = 32000): FieldDef => ({ type: 'textarea', length });
const email = (extra: Partial<FieldDef> = {}): FieldDef => ({ type: 'email', length: 80, ...extra });
const phone = (): FieldDef => ({ type: 'phone', length: 40 });
const checkbox = (defaultValue = false): FieldDef => ({ type: 'boolean', defaultValue });
const currency = (): FieldDef => ({ type: 'currency' });
const percent = (): FieldDef => ({ type: 'percent' });
const integer = (): FieldDef => ({ type: 'int' });
const date = (extra: Partial<FieldDef> = {}): FieldDef => ({ type: 'date', ...extra });
const datetime = (extra: Partial<FieldDef> = {}): FieldDef => ({ type: 'datetime', ...extra });
const time = (): FieldDef => ({ type: 'time' });
const picklist = (values?: readonly string[], extra: Partial<FieldDef> = {}): FieldDef => ({
  type: 'picklist',
  length: 255,
  picklistValues: values,
  restricted: values !== undefined,
  ...extra,
});
const openPicklist = (values: readonly string[], extra: Partial<FieldDef> = {}): FieldDef => ({
  type: 'picklist',
  length: 255,
  picklistValues: values,
  restricted: false,
  ...extra,
});
const lookup = (to: string | string[], relationshipName: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  type: 'reference',
  referenceTo: [to].flat(),
  relationshipName,
  ...extra,
});
const owner = (): FieldDef => lookup('User', 'Owner', { label: 'Owner ID', defaultValue: '$runningUser' });
const formula = (def: FieldDef, compute: NonNullable<FieldDef['formula']>): FieldDef => ({
  ...def,
  access: 'readOnly',
  formula: compute,
});

const fullName = (r: StoredRecord) => [r.FirstName, r.LastName].filter((v) => typeof v === 'string' && v).join(' ');

/** The account an activity belongs to: its What's account, else its Who's account. */
function activityAccount(r: StoredRecord, find: RecordLookup): unknown {
  const what = find(r.WhatId);
  if (what?.type === 'Account') return what.record.Id;
  if (what && what.record.AccountId) return what.record.AccountId;
  return find(r.WhoId)?.record.AccountId ?? null;
}

const TEAM_MEMBER_ROLES = [
  'Account Manager',
  'Channel Manager',
  'Executive Sponsor',
  'Lead Qualifier',
  'Pre-Sales Consultant',
  'Sales Manager',
  'Sales Rep',
  'Technical Sales',
  'Renewal Manager',
  'Customer Success Manager',
] as const;

const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] as const;
const TASK_PRIORITIES = ['High', 'Normal', 'Low'] as const;
const TASK_SUBTYPES = ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'] as const;
/** EmailMessage.Status: 0 New, 1 Read, 2 Replied, 3 Sent, 4 Forwarded, 5 Draft. */
const EMAIL_MESSAGE_STATUSES = ['0', '1', '2', '3', '4', '5'] as const;
const CLOSED_STAGES = ['Closed Won', 'Closed Lost'];

const SYSTEM_FIELDS: Record<string, FieldDef> = {
  Id: { type: 'id', label: 'Record ID', access: 'readOnly' },
  IsDeleted: { type: 'boolean', label: 'Deleted', access: 'readOnly', defaultValue: false },
  CreatedDate: datetime({ access: 'readOnly' }),
  CreatedById: lookup('User', 'CreatedBy', { label: 'Created By ID', access: 'readOnly' }),
  LastModifiedDate: datetime({ access: 'readOnly' }),
  LastModifiedById: lookup('User', 'LastModifiedBy', { label: 'Last Modified By ID', access: 'readOnly' }),
  SystemModstamp: datetime({ access: 'readOnly' }),
};

/** The audit and identity fields every object has. */
export const SYSTEM_FIELD_NAMES: readonly string[] = Object.keys(SYSTEM_FIELDS);

function object(
  name: string,
  keyPrefix: string,
  fields: Record<string, FieldDef>,
  children: Record<string, ChildRelationship> = {},
  lockedOnUpdate?: ObjectDef['lockedOnUpdate'],
  recordRule?: ObjectDef['recordRule'],
): ObjectDef {
  return { name, keyPrefix, fields: { Id: SYSTEM_FIELDS.Id!, ...fields, ...SYSTEM_FIELDS }, children, lockedOnUpdate, recordRule };
}

const activityChildren = (field: string) => ({
  Tasks: { childObject: 'Task', field },
  Events: { childObject: 'Event', field },
});

/** The standard objects, with their standard fields (and one customization of the demo org, Account's billing id). */
const STANDARD_OBJECTS: Record<string, ObjectDef> = Object.fromEntries(
  [
    // The org itself: one record, whose Id is the org id. Clients such as the Salesforce CLI read it after login.
    object('Organization', '00D', {
      Name: text(80, { required: true }),
      InstanceName: text(5),
      IsSandbox: checkbox(false),
      OrganizationType: picklist(['Developer Edition', 'Enterprise Edition', 'Unlimited Edition', 'Professional Edition']),
      TrialExpirationDate: datetime(),
      NamespacePrefix: text(15),
      DefaultLocaleSidKey: text(40),
      LanguageLocaleKey: text(40),
      TimeZoneSidKey: text(40),
    }),
    object('Profile', '00e', {
      Name: text(255, { required: true }),
      // "Modify All Data": what makes the System Administrator profile see and edit everything, whatever its name in
      // the org's language.
      PermissionsModifyAllData: checkbox(false),
    }),
    // Field-level security (Object Reference: PermissionSet, FieldPermissions, PermissionSetAssignment). A profile's
    // field access lives in the permission set it owns (IsOwnedByProfile, ProfileId: the org's to set, read-only to the
    // API); the rules a row must follow are in permissions.ts.
    object('PermissionSet', '0PS', {
      Name: text(80, { label: 'Permission Set Name', required: true, unique: true }),
      Label: text(80, { label: 'Permission Set Label', required: true }),
      Description: text(255),
      IsOwnedByProfile: { type: 'boolean', label: 'Is Owned By Profile', access: 'readOnly', defaultValue: false },
      ProfileId: lookup('Profile', 'Profile', { label: 'Profile ID', access: 'readOnly' }),
    }),
    object('FieldPermissions', '01k', {
      ParentId: lookup('PermissionSet', 'Parent', { label: 'Parent ID', required: true, access: 'createOnly' }),
      SobjectType: text(40, { label: 'SObject Type Name', required: true, access: 'createOnly' }),
      Field: text(80, { label: 'Field Name', required: true, access: 'createOnly' }),
      PermissionsRead: checkbox(false),
      PermissionsEdit: checkbox(false),
    }),
    object('PermissionSetAssignment', '0Pa', {
      AssigneeId: lookup('User', 'Assignee', { label: 'Assignee ID', required: true, access: 'createOnly' }),
      PermissionSetId: lookup('PermissionSet', 'PermissionSet', { label: 'Permission Set ID', required: true, access: 'createOnly' }),
    }),
    object('User', '005', {
      Username: text(80, { required: true, unique: true }),
      FirstName: text(40),
      LastName: text(80, { required: true }),
      Name: formula(text(121, { label: 'Full Name' }), fullName),
      Email: email({ required: true }),
      IsActive: checkbox(true),
      ProfileId: lookup('Profile', 'Profile', { required: true }),
      Title: text(80),
      // Standard field: the user's manager (a hierarchy lookup to User), what "a manager's team" is read from.
      ManagerId: lookup('User', 'Manager', { label: 'Manager ID' }),
    }),
    // Public groups and queues; a queue's supported objects are its QueueSobject rows.
    object(
      'Group',
      '00G',
      {
        Name: text(40, { label: 'Name', required: true }),
        DeveloperName: text(80, { label: 'Developer Name', required: true, unique: true }),
        Type: picklist(['Regular', 'Queue', 'Role', 'RoleAndSubordinates', 'Organization'], { required: true }),
      },
      { QueueSobjects: { childObject: 'QueueSobject', field: 'QueueId' } },
    ),
    object('QueueSobject', '03g', {
      QueueId: lookup('Group', 'Queue', { label: 'Queue ID', required: true, access: 'createOnly' }),
      SobjectType: picklist(['Case', 'Lead', 'Task', 'Opportunity'], { required: true, access: 'createOnly' }),
    }),
    object('CustomNotificationType', '0ML', {
      DeveloperName: text(80, { label: 'Name', required: true, unique: true }),
      CustomNotifTypeName: text(80, { label: 'Name', required: true }),
      MasterLabel: text(80, { label: 'Label', required: true }),
      Description: text(255),
      Desktop: checkbox(false),
      Mobile: checkbox(false),
    }),
    object(
      'Account',
      '001',
      {
        Name: text(255, { label: 'Account Name', required: true }),
        Industry: openPicklist(['Healthcare', 'Manufacturing', 'Technology', 'Transportation', 'Other']),
        AnnualRevenue: currency(),
        NumberOfEmployees: integer(),
        OwnerId: owner(),
        Type: openPicklist(['Prospect', 'Customer - Direct', 'Customer - Channel', 'Other']),
        Description: longText(),
        // An external id without the Unique attribute, as billing-system keys often are: upserts by it can match several.
        Billing_System_Id__c: text(40, { externalId: true }),
      },
      {
        AccountTeamMembers: { childObject: 'AccountTeamMember', field: 'AccountId' },
        Contacts: { childObject: 'Contact', field: 'AccountId' },
        Opportunities: { childObject: 'Opportunity', field: 'AccountId' },
        ...activityChildren('WhatId'),
      },
    ),
    object(
      'Contact',
      '003',
      {
        AccountId: lookup('Account', 'Account', { label: 'Account ID' }),
        FirstName: text(40),
        LastName: text(80, { required: true }),
        Name: formula(text(121, { label: 'Full Name' }), fullName),
        Title: text(128),
        Email: email(),
        Phone: phone(),
        OwnerId: owner(),
        // Bounce management (Object Reference, Contact): both Create/Update; IsEmailBounced is derived from them.
        EmailBouncedDate: datetime(),
        EmailBouncedReason: text(255),
        IsEmailBounced: formula(
          { type: 'boolean', label: 'Is Email Bounced' },
          (r) => r.EmailBouncedDate != null || r.EmailBouncedReason != null,
        ),
      },
      {
        OpportunityContactRoles: { childObject: 'OpportunityContactRole', field: 'ContactId' },
        ...activityChildren('WhoId'),
      },
    ),
    object(
      'Opportunity',
      '006',
      {
        Name: text(120, { required: true }),
        AccountId: lookup('Account', 'Account', { label: 'Account ID' }),
        OwnerId: owner(),
        Amount: currency(),
        CloseDate: date({ required: true }),
        StageName: openPicklist(
          ['Prospecting', 'Qualification', 'Discovery', 'Proposal/Price Quote', 'Negotiation/Review', ...CLOSED_STAGES],
          { label: 'Stage', required: true },
        ),
        Type: openPicklist(['New Business', 'Existing Business', 'Renewal']),
        Probability: percent(),
        Description: longText(),
        IsClosed: formula({ type: 'boolean', label: 'Closed' }, (r) => CLOSED_STAGES.includes(String(r.StageName))),
        IsWon: formula({ type: 'boolean', label: 'Won' }, (r) => r.StageName === 'Closed Won'),
        NextStep: text(255),
      },
      {
        OpportunityContactRoles: { childObject: 'OpportunityContactRole', field: 'OpportunityId' },
        OpportunityTeamMembers: { childObject: 'OpportunityTeamMember', field: 'OpportunityId' },
        ...activityChildren('WhatId'),
      },
    ),
    // Opportunity and account teams. TeamMemberRole is the org's "Team Roles" picklist: Salesforce's defaults plus the
    // demo org's Renewal Manager and Customer Success Manager, as an admin adds them.
    object('OpportunityTeamMember', '00q', {
      OpportunityId: lookup('Opportunity', 'Opportunity', { label: 'Opportunity ID', required: true, access: 'createOnly' }),
      UserId: lookup('User', 'User', { label: 'User ID', required: true, access: 'createOnly' }),
      TeamMemberRole: openPicklist(TEAM_MEMBER_ROLES, { label: 'Team Role' }),
      OpportunityAccessLevel: picklist(['Read', 'Edit', 'All'], { defaultValue: 'Read' }),
    }),
    object('AccountTeamMember', '01M', {
      AccountId: lookup('Account', 'Account', { label: 'Account ID', required: true, access: 'createOnly' }),
      UserId: lookup('User', 'User', { label: 'User ID', required: true, access: 'createOnly' }),
      TeamMemberRole: openPicklist(TEAM_MEMBER_ROLES, { label: 'Team Role' }),
      AccountAccessLevel: picklist(['Read', 'Edit', 'All'], { defaultValue: 'Read' }),
    }),
    object('OpportunityContactRole', '00K', {
      OpportunityId: lookup('Opportunity', 'Opportunity', { label: 'Opportunity ID', required: true, access: 'createOnly' }),
      ContactId: lookup('Contact', 'Contact', { label: 'Contact ID', required: true }),
      // 'Champion' is not in Salesforce's default list; the demo org adds it, as many orgs do.
      Role: openPicklist([
        'Business User',
        'Champion',
        'Decision Maker',
        'Economic Buyer',
        'Economic Decision Maker',
        'Evaluator',
        'Executive Sponsor',
        'Influencer',
        'Technical Buyer',
        'Other',
      ]),
      IsPrimary: checkbox(false),
    }),
    object('Task', '00T', {
      Subject: text(255),
      Description: longText(),
      ActivityDate: date({ label: 'Due Date Only' }),
      Status: picklist(TASK_STATUSES, { required: true, defaultValue: 'Not Started' }),
      Priority: picklist(TASK_PRIORITIES, { required: true, defaultValue: 'Normal' }),
      WhatId: lookup(['Opportunity', 'Account'], 'What', { label: 'Related To ID' }),
      WhoId: lookup('Contact', 'Who', { label: 'Name ID' }),
      // A Task may be owned by a user or a queue (a Group of Type Queue that supports Task): see ownerRule in validate.ts.
      OwnerId: lookup(['User', 'Group'], 'Owner', { label: 'Assigned To ID', defaultValue: '$runningUser' }),
      IsClosed: formula({ type: 'boolean', label: 'Closed' }, (r) => r.Status === 'Completed'),
      IsReminderSet: checkbox(false),
      ReminderDateTime: datetime(),
      Type: openPicklist(['Call', 'Email', 'Meeting', 'Other']),
      TaskSubtype: picklist(TASK_SUBTYPES, { access: 'createOnly', defaultValue: 'Task' }),
      AccountId: formula(lookup('Account', 'Account', { label: 'Account ID' }), activityAccount),
    }),
    // Enhanced Email (Object Reference, EmailMessage; field reference for types and lengths). The open tracking
    // fields and the bounce flag are the org's to set: read-only to the API, like IsTracked and HasAttachment.
    object(
      'EmailMessage',
      '02s',
      {
        Subject: text(3000),
        TextBody: longText(131072),
        HtmlBody: longText(131072),
        Headers: longText(32000),
        FromAddress: text(1000),
        FromName: text(1000),
        ToAddress: text(4000),
        CcAddress: text(4000),
        BccAddress: text(4000),
        MessageDate: datetime(),
        MessageIdentifier: text(255, { label: 'Message ID' }),
        ThreadIdentifier: text(765, { label: 'Thread ID' }),
        Incoming: checkbox(false),
        Status: picklist(EMAIL_MESSAGE_STATUSES, { required: true }),
        RelatedToId: lookup(['Opportunity', 'Account'], 'RelatedTo', { label: 'Related To ID' }),
        ReplyToEmailMessageId: lookup('EmailMessage', 'ReplyToEmailMessage', { label: 'Email Message ID' }),
        ActivityId: lookup('Task', 'Activity', { label: 'Activity ID', access: 'createOnly' }),
        IsExternallyVisible: checkbox(false),
        IsTracked: { type: 'boolean', label: 'Is Tracked', access: 'readOnly', defaultValue: false },
        IsBounced: { type: 'boolean', label: 'Bounced?', access: 'readOnly', defaultValue: false },
        HasAttachment: { type: 'boolean', label: 'Has Attachment', access: 'readOnly', defaultValue: false },
        FirstOpenedDate: datetime({ label: 'First Opened', access: 'readOnly' }),
        LastOpenedDate: datetime({ label: 'Last Opened', access: 'readOnly' }),
      },
      {},
      // Object Reference, EmailMessage: update() only on a Draft; otherwise only IsExternallyVisible and custom
      // fields — and "The Status field is mostly read-only. You can change the status only from New to Read."
      (existing, fields, values) => {
        const newToRead = (f: string) => f === 'Status' && existing.Status === '0' && values.get('Status') === '1';
        const locked =
          existing.Status === '5' ? [] : fields.filter((f) => f !== 'IsExternallyVisible' && !f.endsWith('__c') && !newToRead(f));
        return locked.length ? { fields: locked, reason: 'only a draft email can be updated' } : undefined;
      },
    ),
    // Record types (Object Reference, RecordType): set up in Setup, read-only here; the shape's `recordTypes` makes them.
    // An object has the RecordTypeId field only once it has a record type (shape.ts adds it).
    object('RecordType', '012', {
      Name: text(80, { label: 'Record Type Label', access: 'readOnly' }),
      DeveloperName: text(80, { label: 'Record Type Name', access: 'readOnly' }),
      SobjectType: text(40, { label: 'SObject Type Name', access: 'readOnly' }),
      IsActive: { type: 'boolean', label: 'Active', access: 'readOnly', defaultValue: false },
      Description: text(255, { access: 'readOnly' }),
    }),
    // The Task Status picklist's values with their meaning (Object Reference, TaskStatus): read-only, one row per value.
    object('TaskStatus', '01J', {
      ApiName: text(255, { access: 'readOnly' }),
      MasterLabel: text(255, { access: 'readOnly' }),
      IsClosed: { type: 'boolean', access: 'readOnly', defaultValue: false },
      IsDefault: { type: 'boolean', access: 'readOnly', defaultValue: false },
      SortOrder: { type: 'int', access: 'readOnly' },
    }),
    // Setup objects the org's calendar lives in (Setup > Holidays, Setup > Business Hours).
    object('Holiday', '0C0', {
      Name: text(80, { label: 'Holiday Name', required: true }),
      Description: text(100),
      IsAllDay: checkbox(false),
      ActivityDate: date({ label: 'Holiday Date' }),
      StartTimeInMinutes: integer(),
      EndTimeInMinutes: integer(),
      IsRecurrence: checkbox(false),
      RecurrenceStartDate: date(),
      RecurrenceEndDateOnly: date(),
      RecurrenceType: picklist([
        'RecursDaily',
        'RecursEveryWeekday',
        'RecursMonthly',
        'RecursMonthlyNth',
        'RecursWeekly',
        'RecursYearly',
        'RecursYearlyNth',
      ]),
      RecurrenceInterval: integer(),
      RecurrenceDayOfWeekMask: integer(),
      RecurrenceDayOfMonth: integer(),
      RecurrenceInstance: picklist(['First', 'Second', 'Third', 'Fourth', 'Last']),
      RecurrenceMonthOfYear: picklist([
        'January',
        'February',
        'March',
        'April',
        'May',
        'June',
        'July',
        'August',
        'September',
        'October',
        'November',
        'December',
      ]),
    }),
    object('BusinessHours', '01m', {
      Name: text(80, { label: 'Business Hours Name', required: true }),
      IsActive: checkbox(false),
      IsDefault: checkbox(false),
      TimeZoneSidKey: openPicklist(['America/Los_Angeles', 'America/New_York', 'Europe/London', 'GMT'], {
        label: 'Time Zone',
        required: true,
      }),
      ...Object.fromEntries(
        ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].flatMap((day) => [
          [`${day}StartTime`, time()],
          [`${day}EndTime`, time()],
        ]),
      ),
    }),
    // Object Reference, Event: the times follow eventTimes (event-rules.ts); invitees are EventRelation rows.
    object(
      'Event',
      '00U',
      {
        Subject: text(255),
        Description: longText(),
        Location: text(255),
        IsAllDayEvent: checkbox(false),
        ActivityDate: date({ label: 'Due Date Only' }),
        ActivityDateTime: datetime({ label: 'Due Date Time' }),
        StartDateTime: datetime(),
        EndDateTime: datetime(),
        DurationInMinutes: integer(),
        ShowAs: picklist(['Busy', 'OutOfOffice', 'Free'], { defaultValue: 'Busy' }),
        WhatId: lookup(['Opportunity', 'Account'], 'What', { label: 'Related To ID' }),
        WhoId: lookup('Contact', 'Who', { label: 'Name ID' }),
        OwnerId: owner(),
        Type: openPicklist(['Call', 'Email', 'Meeting', 'Other']),
        AccountId: formula(lookup('Account', 'Account', { label: 'Account ID' }), activityAccount),
      },
      { EventRelations: { childObject: 'EventRelation', field: 'EventId' } },
      undefined,
      eventTimes,
    ),
    // Object Reference, EventRelation: a person invited to an event. Invitees are users and contacts here (leads and
    // resources are not modelled); the pair is set on create only.
    object(
      'EventRelation',
      '0RE',
      {
        EventId: lookup('Event', 'Event', { label: 'Event ID', required: true, access: 'createOnly' }),
        RelationId: lookup(['User', 'Contact'], 'Relation', { label: 'Relation ID', required: true, access: 'createOnly' }),
        IsInvitee: checkbox(true),
        IsParent: checkbox(false),
        IsWhat: { type: 'boolean', label: 'Is What', access: 'readOnly', defaultValue: false },
        Status: picklist(['New', 'Declined', 'Accepted'], { defaultValue: 'New' }),
        Response: text(255),
        RespondedDate: datetime({ label: 'Response Date' }),
      },
      {},
      undefined,
      eventRelationUnique,
    ),
  ].map((def) => [def.name, def]),
);

/**
 * The objects of one emulated org: the standard objects with the custom fields its package deploys (a custom lookup
 * also adds its child relationship to the parent, `Primary_Contact_Renewals__r`).
 */
export class OrgSchema {
  readonly objects: Record<string, ObjectDef>;
  /** Equal for orgs with the same package fields (what derived schemas, such as the seed's, are cached by). */
  readonly key: string;

  constructor(packageFields: PackageFields = {}) {
    this.key = JSON.stringify(packageFields);
    const unknown = Object.keys(packageFields).filter((name) => !STANDARD_OBJECTS[name]);
    if (unknown.length) throw new Error(`The org emulator has no sObject type ${unknown.join(', ')} to add the package's fields to`);
    this.objects = Object.fromEntries(
      Object.entries(STANDARD_OBJECTS).map(([name, o]) => [name, withCustomFields(o, packageFields[name] ?? {})]),
    );
    for (const [name, fields] of Object.entries(packageFields)) {
      for (const [field, def] of Object.entries(fields)) {
        if (!def.childRelationshipName) continue;
        for (const parent of def.referenceTo ?? []) {
          const parentDef = this.objects[parent];
          if (!parentDef) throw new Error(`${name}.${field} looks up ${parent}, which the org emulator does not model`);
          parentDef.children[`${def.childRelationshipName}__r`] = { childObject: name, field };
        }
      }
    }
  }

  /** The object definition for an API name, matched case-insensitively like Salesforce does. */
  find(name: string): ObjectDef | undefined {
    const lower = name.toLowerCase();
    return Object.values(this.objects).find((o) => o.name.toLowerCase() === lower);
  }

  /** The object whose ids start with a key prefix. */
  forId(id: string): ObjectDef | undefined {
    const prefix = id.slice(0, 3);
    return Object.values(this.objects).find((o) => o.keyPrefix === prefix);
  }
}

/** An object with custom fields added before the audit fields (a copy: the standard definition stays as it is). */
function withCustomFields(object: ObjectDef, custom: Record<string, FieldDef>): ObjectDef {
  const own = Object.entries(object.fields).filter(([name]) => name === 'Id' || !SYSTEM_FIELD_NAMES.includes(name));
  const system = Object.entries(object.fields).filter(([name]) => name !== 'Id' && SYSTEM_FIELD_NAMES.includes(name));
  return { ...object, fields: Object.fromEntries([...own, ...Object.entries(custom), ...system]), children: { ...object.children } };
}

/** The canonical field name on an object, matched case-insensitively. */
export function findField(object: ObjectDef, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(object.fields).find((f) => f.toLowerCase() === lower);
}

/** The reference field behind a parent relationship name (`Owner` -> `OwnerId`). */
export function findRelationship(object: ObjectDef, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(object.fields).find(([, f]) => f.relationshipName?.toLowerCase() === lower)?.[0];
}

/** The child relationship on an object (`OpportunityContactRoles`), matched case-insensitively. */
export function findChildRelationship(object: ObjectDef, name: string): [string, ChildRelationship] | undefined {
  const lower = name.toLowerCase();
  return Object.entries(object.children).find(([n]) => n.toLowerCase() === lower);
}

/** Salesforce-style label of a field: `Action_Plan_Task_Id__c` -> `Action Plan Task Id`. */
export function fieldLabel(name: string, def: FieldDef): string {
  if (def.label) return def.label;
  return name
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2');
}

/** Long text areas (a textarea longer than 255) can be selected but not filtered or sorted on in SOQL. */
export const isLongTextArea = (def: FieldDef) => def.type === 'textarea' && (def.length ?? 0) > 255;

export const isTextType = (t: FieldType) => ['string', 'textarea', 'picklist', 'email', 'phone'].includes(t);
export const isIdType = (t: FieldType) => t === 'id' || t === 'reference';
export const isNumberType = (t: FieldType) => ['currency', 'double', 'percent', 'int'].includes(t);
