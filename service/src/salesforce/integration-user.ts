import { isAlwaysReadable } from './field-access.ts';

/**
 * Every Salesforce call the service makes as its integration user, with the objects, fields and system permissions each
 * needs: the one inventory the package's `Renewal_Action_Plans_Service` permission set is checked against (both ways, in
 * tests/force-app/service-permission-set.test.ts), that docs/org-permissions.md is written from (`npm run
 * docs:permissions`) and that the doctor's `permissions` line checks in the org.
 */

/** What a call does to an object's records: read them, create them, edit them, or read every one whatever the sharing. */
type Access = 'read' | 'create' | 'edit' | 'viewAll';

/** A system permission, by its name in PermissionSet metadata (`userPermissions`). */
type UserPermission = 'ApiEnabled' | 'EditTask' | 'EditEvent' | 'SendCustomNotifications' | 'ViewSetup' | 'ViewAllData';

interface ObjectUse {
  object: string;
  access: readonly Access[];
  /** The fields read (or, with create/edit, written), without the object: `Amount`. */
  fields: readonly string[];
}

interface SalesforceCall {
  /** The module (and function) that makes the call. */
  site: string;
  /** What it is for, in an admin's words. */
  does: string;
  uses: readonly ObjectUse[];
  /** System permissions the call needs beyond API Enabled, and why. */
  userPermissions?: Partial<Record<UserPermission, string>>;
  /** When the call is made at all (a feature of the org, a setting); always when absent. */
  when?: string;
  /** Whether the service cannot work without it (the doctor's line is then blocking, else degraded). */
  essential?: boolean;
}

const read = ['read'] as const;
const write = ['read', 'create', 'edit'] as const;

/** The Tasks the mirror writes (task-mirror.ts, taskRecord) and the audit and reminder Tasks AI tasks upsert. */
const MIRRORED_TASK_FIELDS = [
  'Action_Plan_Task_Id__c',
  'WhatId',
  'WhoId',
  'OwnerId',
  'Subject',
  'Description',
  'ActivityDate',
  'Priority',
  'Status',
];

export const SALESFORCE_CALLS: readonly SalesforceCall[] = [
  {
    site: 'salesforce/org-features.ts readOrgFeatures, gateway.ts learnFeatures',
    does: 'at start: which optional objects the org has (describeGlobal) and the Opportunity Type picklist (describe)',
    uses: [{ object: 'Opportunity', access: read, fields: ['Type'] }],
    essential: true,
  },
  {
    site: 'salesforce/task-statuses.ts readTaskStatuses',
    does: "at start: the org's Task Status values, which are closed and which is the default",
    uses: [{ object: 'TaskStatus', access: read, fields: ['ApiName', 'IsClosed', 'IsDefault', 'SortOrder'] }],
    essential: true,
  },
  {
    site: 'salesforce/context.ts loadOpportunityContext(s)',
    does: "an opportunity's CRM context: the opportunity, its account, owner, contact roles, latest tasks and events, opportunity team",
    uses: [
      {
        object: 'Opportunity',
        access: read,
        fields: [
          'Name',
          'StageName',
          'Type',
          'Amount',
          'CloseDate',
          'Description',
          'NextStep',
          'OwnerId',
          'AccountId',
          'Current_ARR__c',
          'Primary_Contact__c',
          'Previous_Contact__c',
          'Notice_Period_Days__c',
          'Auto_Renewal__c',
          'Price_Increase_Cap__c',
          'Termination_Terms__c',
        ],
      },
      { object: 'Account', access: read, fields: ['Name', 'Industry', 'AnnualRevenue', 'NumberOfEmployees'] },
      { object: 'User', access: read, fields: ['Name', 'Email', 'IsActive'] },
      { object: 'OpportunityContactRole', access: read, fields: ['ContactId', 'Role', 'IsPrimary'] },
      { object: 'Contact', access: read, fields: ['Name', 'Title', 'Email', 'AccountId'] },
      {
        object: 'Task',
        access: read,
        fields: ['Subject', 'Description', 'ActivityDate', 'Status', 'IsClosed', 'WhoId', 'TaskSubtype', 'Action_Plan_Task_Id__c'],
      },
      { object: 'Event', access: read, fields: ['Subject', 'Description', 'ActivityDate', 'StartDateTime', 'WhoId'] },
    ],
    essential: true,
  },
  {
    site: 'salesforce/context.ts contextSoql (OpportunityTeamMembers sub-query)',
    does: "the opportunity team (who fills a plan's team roles)",
    uses: [
      { object: 'OpportunityTeamMember', access: read, fields: ['UserId', 'TeamMemberRole'] },
      { object: 'User', access: read, fields: ['Name', 'IsActive'] },
    ],
    when: 'Team Selling on',
  },
  {
    site: 'salesforce/soql-records.ts renewalDateOf (context, portfolio, renewal dates, change events)',
    does: "the renewal date from the package's Renewal Date field instead of the Close Date",
    uses: [{ object: 'Opportunity', access: read, fields: ['Renewal_Date__c'] }],
    when: 'SF_RENEWAL_DATE_FIELD=Renewal_Date__c',
  },
  {
    site: 'salesforce/context.ts accountTeamSoql',
    does: "the account team of the opportunity's account (who fills a plan's team roles)",
    uses: [
      { object: 'AccountTeamMember', access: read, fields: ['AccountId', 'UserId', 'TeamMemberRole'] },
      { object: 'User', access: read, fields: ['Name', 'IsActive'] },
    ],
    when: 'Account Teams on',
  },
  {
    site: 'salesforce/access.ts RecordAccess',
    does: 'whether the CSM behind a request may read or edit each record (sharing)',
    uses: [{ object: 'UserRecordAccess', access: read, fields: ['UserId', 'RecordId', 'HasReadAccess', 'HasEditAccess'] }],
    userPermissions: { ViewAllData: "to ask about other users' access (docs/admin.md, step 4)" },
    essential: true,
  },
  {
    site: 'salesforce/field-access.ts FieldAccess',
    does: "each CSM's field-level security: their profile's and assigned permission sets' field permissions",
    uses: [
      { object: 'User', access: read, fields: ['ProfileId'] },
      { object: 'PermissionSetAssignment', access: read, fields: ['AssigneeId', 'PermissionSetId'] },
      { object: 'PermissionSet', access: read, fields: ['ProfileId'] },
      { object: 'FieldPermissions', access: read, fields: ['Field', 'SobjectType', 'ParentId', 'PermissionsRead'] },
    ],
    userPermissions: { ViewSetup: 'FieldPermissions and PermissionSetAssignment need View Setup and Configuration (API 49.0+)' },
    essential: true,
  },
  {
    site: 'salesforce/gateway.ts isAdmin',
    does: 'whether a user is a Salesforce administrator (Modify All Data), for GET /api/admin/org-check',
    uses: [
      { object: 'User', access: read, fields: ['ProfileId'] },
      { object: 'Profile', access: read, fields: ['PermissionsModifyAllData'] },
    ],
    userPermissions: { ViewSetup: "a profile's permissions are setup data" },
  },
  {
    site: 'salesforce/gateway.ts opportunityExists, renewalsAmong; renewal-criteria.ts',
    does: 'whether an opportunity exists, and which are renewals by RENEWAL_CRITERIA (Type; a record type or a checkbox when configured)',
    uses: [{ object: 'Opportunity', access: read, fields: ['Type'] }],
    essential: true,
  },
  {
    site: 'salesforce/renewal-criteria.ts renewalCondition (recordType)',
    does: 'renewals are the opportunities of a record type: the portfolio, the bulk start and the scheduled starts select by it',
    uses: [
      { object: 'Opportunity', access: read, fields: ['RecordTypeId'] },
      { object: 'RecordType', access: read, fields: ['DeveloperName'] },
    ],
    when: 'RENEWAL_CRITERIA=recordType:…',
  },
  {
    site: 'salesforce/portfolio.ts portfolioPage',
    does: "one page of a CSM's (or their team's) open renewals, with economic buyers and the latest customer activity",
    uses: [
      { object: 'Opportunity', access: read, fields: ['Name', 'Amount', 'CloseDate', 'AccountId', 'OwnerId', 'IsClosed'] },
      { object: 'Account', access: read, fields: ['Name'] },
      { object: 'User', access: read, fields: ['Name', 'ManagerId'] },
      { object: 'OpportunityContactRole', access: read, fields: ['Role'] },
      { object: 'Task', access: read, fields: ['ActivityDate', 'IsClosed', 'WhoId', 'Action_Plan_Task_Id__c'] },
      { object: 'Event', access: read, fields: ['ActivityDate', 'WhoId'] },
    ],
  },
  {
    site: 'salesforce/task-mirror.ts mirrorTasks',
    does: 'mirrors plan tasks as Task records, upserted on Action_Plan_Task_Id__c (up to 200 per call)',
    uses: [{ object: 'Task', access: write, fields: MIRRORED_TASK_FIELDS }],
    userPermissions: { EditTask: 'creating and editing Tasks needs Edit Tasks' },
    essential: true,
  },
  {
    site: 'salesforce/task-mirror.ts changedMirroredTasks, mirroredTasksByIds',
    does: 'the completion sync: mirrored Tasks changed in Salesforce since the last read',
    uses: [{ object: 'Task', access: read, fields: ['WhatId', 'Status', 'IsClosed', 'Action_Plan_Task_Id__c', 'SystemModstamp'] }],
    essential: true,
  },
  {
    site: 'salesforce/renewal-dates.ts changedRenewalDates',
    does: 'opportunities whose renewal date moved (the re-plan notice)',
    uses: [{ object: 'Opportunity', access: read, fields: ['OwnerId', 'CloseDate', 'SystemModstamp'] }],
  },
  {
    site: 'salesforce/pubsub/client.ts, sync/change-apply.ts (Pub/Sub API)',
    does: 'Change Data Capture: /data/TaskChangeEvent and /data/OpportunityChangeEvent, and the org id to subscribe with',
    uses: [
      { object: 'Organization', access: read, fields: ['Id'] },
      { object: 'Task', access: read, fields: ['Status', 'WhatId', 'Action_Plan_Task_Id__c'] },
      { object: 'Opportunity', access: ['read', 'viewAll'], fields: ['CloseDate'] },
    ],
    userPermissions: { ViewAllData: 'Task change events need View All Data (Task has no View All Records)' },
    when: 'SF_PUBSUB=on and Change Data Capture selects Task and Opportunity',
  },
  {
    site: 'assertion/identity.ts',
    does: 'the org id the user assertions must name (unless SF_ORG_ID is set)',
    uses: [{ object: 'Organization', access: read, fields: ['Id'] }],
  },
  {
    site: 'salesforce/custom-notifications.ts notificationTypeId, sendCustomNotifications',
    does: 'the bell: finds the Renewal Action Plan Alert type and sends it (customNotificationAction) to the CSM',
    uses: [{ object: 'CustomNotificationType', access: read, fields: ['DeveloperName'] }],
    userPermissions: { SendCustomNotifications: 'the standard customNotificationAction needs Send Custom Notifications' },
    when: 'custom notifications on',
  },
  {
    site: 'salesforce/api-usage.ts',
    does: 'the daily API allowance left (GET /limits) when a write pause ends',
    uses: [],
    userPermissions: { ViewSetup: 'the limits resource needs View Setup and Configuration' },
  },
  {
    site: 'calendar/org-calendar.ts readOrgRules',
    does: "the org's holidays and default business hours (business days of due dates)",
    uses: [
      {
        object: 'Holiday',
        access: read,
        fields: [
          'Name',
          'ActivityDate',
          'IsAllDay',
          'IsRecurrence',
          'RecurrenceStartDate',
          'RecurrenceEndDateOnly',
          'RecurrenceType',
          'RecurrenceInterval',
          'RecurrenceDayOfMonth',
          'RecurrenceDayOfWeekMask',
          'RecurrenceInstance',
          'RecurrenceMonthOfYear',
        ],
      },
      { object: 'BusinessHours', access: read, fields: ['Name', 'IsDefault', 'TimeZoneSidKey', ...weekHours()] },
    ],
  },
  {
    site: 'processors/meeting-scheduler (org-time.ts)',
    does: "free slots: the org's business hours and the CSM's busy Events",
    uses: [{ object: 'Event', access: read, fields: ['OwnerId', 'StartDateTime', 'EndDateTime', 'ShowAs', 'Action_Plan_Event_Id__c'] }],
  },
  {
    site: 'salesforce/events.ts upsertMeetingEvent',
    does: 'books a meeting: the Event upserted on Action_Plan_Event_Id__c, and its invitees (EventRelation)',
    uses: [
      {
        object: 'Event',
        access: write,
        fields: [
          'Action_Plan_Event_Id__c',
          'Subject',
          'Description',
          'StartDateTime',
          'EndDateTime',
          'Location',
          'WhatId',
          'WhoId',
          'OwnerId',
          'Type',
        ],
      },
      { object: 'EventRelation', access: ['read', 'create'], fields: ['EventId', 'RelationId'] },
    ],
    userPermissions: { EditEvent: 'creating and editing Events needs Edit Events' },
  },
  {
    site: 'salesforce/records.ts upsertTask (processors: audit Tasks, reminders)',
    does: 'the audit Task of an AI task, and a follow-up reminder Task, upserted on Action_Plan_Task_Id__c',
    uses: [{ object: 'Task', access: write, fields: [...MIRRORED_TASK_FIELDS, 'IsReminderSet', 'ReminderDateTime'] }],
    userPermissions: { EditTask: 'creating and editing Tasks needs Edit Tasks' },
  },
  {
    site: 'processors/crm-opportunity-updater',
    does: 'an approved AI task writes the opportunity’s Next Step, Description or Probability',
    uses: [{ object: 'Opportunity', access: ['read', 'edit'], fields: ['NextStep', 'Description', 'Probability'] }],
  },
  {
    site: 'processors/salesforce-contact-updater',
    does: "an approved AI task moves the opportunity's primary contact (the previous one kept)",
    uses: [
      { object: 'Opportunity', access: read, fields: ['AccountId', 'Primary_Contact__c'] },
      { object: 'Opportunity', access: ['read', 'edit'], fields: ['Primary_Contact__c', 'Previous_Contact__c'] },
      { object: 'Contact', access: read, fields: ['AccountId', 'Name'] },
    ],
  },
  {
    site: 'processors/contact-bounce-recorder',
    does: 'an approved AI task records a bounced address on the contact',
    uses: [
      { object: 'Opportunity', access: read, fields: ['AccountId'] },
      { object: 'Contact', access: read, fields: ['AccountId', 'Email'] },
      { object: 'Contact', access: ['read', 'edit'], fields: ['EmailBouncedReason', 'EmailBouncedDate'] },
    ],
  },
  {
    site: 'engagement/salesforce-emails.ts',
    does: "the engagement rules: the CSMs' tracked emails sent from Salesforce, and the replies to them",
    uses: [
      {
        object: 'EmailMessage',
        access: read,
        fields: [
          'Subject',
          'ToAddress',
          'MessageDate',
          'FirstOpenedDate',
          'IsBounced',
          'RelatedToId',
          'Incoming',
          'IsTracked',
          'ReplyToEmailMessageId',
        ],
      },
    ],
    when: 'Enhanced Email on',
  },
  {
    site: 'salesforce/org-check.ts (npm run doctor, GET /api/admin/org-check)',
    does: "the doctor: the org's edition, the Task Status and Opportunity describes, the configured record type",
    uses: [
      { object: 'Organization', access: read, fields: ['OrganizationType'] },
      { object: 'RecordType', access: read, fields: ['DeveloperName', 'SobjectType'] },
    ],
  },
];

function weekHours(): string[] {
  return ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].flatMap((d) => [`${d}StartTime`, `${d}EndTime`]);
}

/** What the calls need altogether: object access, fields (`Object.Field`) to read or edit, system permissions. */
interface IntegrationUserNeeds {
  objects: Map<string, Set<Access>>;
  /** Every field used, and whether some call writes it. */
  fields: Map<string, 'read' | 'edit'>;
  userPermissions: Set<UserPermission>;
}

/** The union of every call's needs; every call also needs API Enabled. */
export function integrationUserNeeds(calls: readonly SalesforceCall[] = SALESFORCE_CALLS): IntegrationUserNeeds {
  const needs: IntegrationUserNeeds = { objects: new Map(), fields: new Map(), userPermissions: new Set(['ApiEnabled']) };
  for (const call of calls) {
    for (const use of call.uses) {
      const access = needs.objects.get(use.object) ?? new Set<Access>();
      for (const a of use.access) access.add(a);
      needs.objects.set(use.object, access);
      const writes = use.access.includes('create') || use.access.includes('edit');
      for (const field of use.fields) {
        const name = `${use.object}.${field}`;
        if (writes || !needs.fields.has(name)) needs.fields.set(name, writes ? 'edit' : (needs.fields.get(name) ?? 'read'));
      }
    }
    for (const permission of Object.keys(call.userPermissions ?? {})) needs.userPermissions.add(permission as UserPermission);
  }
  // View All Data brings View All on every object: Setup enables it with the permission, and a permission set that
  // kept an object's View All off beside it would say less than the user has.
  if (needs.userPermissions.has('ViewAllData')) for (const access of needs.objects.values()) access.add('viewAll');
  return needs;
}

/**
 * Standard fields left out of the permission set although nothing requires them: those the org derives
 * (`IsClosed`, `TaskSubtype`), `RecordTypeId` (it exists only in an org with Opportunity record types), and the
 * activity fields every user who sees a Task or Event sees (subject, dates, who and what, show-as, reminder). A
 * permission set naming a field whose describe says `permissionable: false` does not deploy, while a missing grant
 * only shows in the doctor's `permissions` line, which reads describe for every field the calls use.
 */
const WITHOUT_FIELD_SECURITY = new Set([
  'Opportunity.IsClosed',
  'Opportunity.RecordTypeId',
  'Task.IsClosed',
  'Task.TaskSubtype',
  ...['Subject', 'ActivityDate', 'WhoId', 'WhatId', 'IsReminderSet', 'ReminderDateTime'].map((f) => `Task.${f}`),
  ...['Subject', 'ActivityDate', 'WhoId', 'WhatId', 'ShowAs'].map((f) => `Event.${f}`),
]);

/** The objects whose fields the package's permission set gives field permissions on: the records the service works on. */
export const RECORD_OBJECTS: readonly string[] = ['Account', 'Contact', 'Opportunity', 'Task', 'Event'];

/**
 * Whether a permission set lists a field (`Object.Field`): a field of a record object that is not always readable (the
 * id, audit fields, owner, required fields: field-access.ts) nor derived. Setup objects, contact roles and team members
 * carry none the service depends on.
 */
export function carriesFieldPermissions(field: string): boolean {
  return RECORD_OBJECTS.includes(field.split('.')[0]!) && !isAlwaysReadable(field) && !WITHOUT_FIELD_SECURITY.has(field);
}

/**
 * Objects whose access a permission set grants as object permissions (Object Reference, PermissionSet metadata:
 * `objectPermissions`). Activities have none: Edit Tasks and Edit Events govern them; contact roles and team members
 * follow their parent's access; setup objects follow system permissions.
 */
export const OBJECTS_WITH_OBJECT_PERMISSIONS: readonly string[] = ['Account', 'Contact', 'Opportunity'];

/** A field as describe answers it for the integration user: a field it cannot read is absent. */
interface DescribedField {
  name: string;
  createable?: boolean;
  updateable?: boolean;
}

/** A field a call uses that the integration user cannot read, or cannot write as the call does. */
interface AccessGap {
  call: SalesforceCall;
  field: string;
  need: 'read' | 'create' | 'edit';
}

/**
 * What the integration user lacks for the calls made whatever the org's features and settings (calls with a `when` are
 * left out), from the describes of the record objects as that user: Salesforce's describe omits the fields its
 * field-level security hides, and says which it may create and update.
 */
export function accessGaps(describes: ReadonlyMap<string, readonly DescribedField[]>, calls = SALESFORCE_CALLS): AccessGap[] {
  const gaps: AccessGap[] = [];
  for (const call of calls.filter((c) => !c.when)) {
    for (const use of call.uses) {
      const described = describes.get(use.object);
      if (!described) continue;
      for (const name of use.fields) {
        const field = described.find((f) => f.name === name);
        const gap = (need: AccessGap['need']) => gaps.push({ call, field: `${use.object}.${name}`, need });
        if (!field) gap('read');
        else if (use.access.includes('create') && field.createable === false) gap('create');
        else if (use.access.includes('edit') && field.updateable === false) gap('edit');
      }
    }
  }
  return gaps;
}
