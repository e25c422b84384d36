// The service's permission set (Renewal_Action_Plans_Service) against the integration user's calls
// (service/src/salesforce/integration-user.ts): it grants what the calls need and nothing more, and the inventory covers
// every object the service's code names in a query, a REST resource or a change event channel.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  carriesFieldPermissions,
  integrationUserNeeds,
  OBJECTS_WITH_OBJECT_PERMISSIONS,
  SALESFORCE_CALLS,
} from '../../service/src/salesforce/integration-user.ts';
import { FORCE_APP } from './source-files.ts';

const xml = new XMLParser({
  ignoreAttributes: true,
  isArray: (name) => ['fieldPermissions', 'objectPermissions', 'userPermissions'].includes(name),
});
const permissionSet = xml.parse(
  readFileSync(join(FORCE_APP, 'main', 'default', 'permissionsets', 'Renewal_Action_Plans_Service.permissionset-meta.xml'), 'utf8'),
).PermissionSet;
const needs = integrationUserNeeds();

describe('Renewal_Action_Plans_Service grants exactly what the integration user’s calls need', () => {
  it('field permissions: every field a call reads or writes that carries field-level security, editable where a call writes it', () => {
    const granted = Object.fromEntries(
      (permissionSet.fieldPermissions as { field: string; readable: boolean; editable: boolean }[]).map((p) => [
        p.field,
        { readable: p.readable, editable: p.editable },
      ]),
    );
    const needed = Object.fromEntries(
      [...needs.fields]
        .filter(([field]) => carriesFieldPermissions(field))
        .map(([field, access]) => [field, { readable: true, editable: access === 'edit' }]),
    );
    expect(granted).toEqual(needed);
    // The mirror's key is the integration user's to write (CSMs get it read-only, in Renewal_Action_Plans).
    expect(granted['Task.Action_Plan_Task_Id__c']).toEqual({ readable: true, editable: true });
    // Required and always-readable fields cannot be listed in a permission set.
    for (const field of ['Opportunity.CloseDate', 'Opportunity.StageName', 'Opportunity.Name', 'Task.Status', 'Task.OwnerId'])
      expect(granted[field]).toBeUndefined();
  });

  it('object permissions: read, create, edit and view all as the calls need them; never delete or modify all', () => {
    const granted = Object.fromEntries(
      (permissionSet.objectPermissions as Record<string, unknown>[]).map((p) => [
        p.object,
        {
          read: p.allowRead,
          create: p.allowCreate,
          edit: p.allowEdit,
          viewAll: p.viewAllRecords,
          delete: p.allowDelete,
          modifyAll: p.modifyAllRecords,
        },
      ]),
    );
    const needed = Object.fromEntries(
      [...needs.objects]
        .filter(([object]) => OBJECTS_WITH_OBJECT_PERMISSIONS.includes(object))
        .map(([object, access]) => [
          object,
          {
            read: true,
            create: access.has('create'),
            edit: access.has('edit'),
            viewAll: access.has('viewAll'),
            delete: false,
            modifyAll: false,
          },
        ]),
    );
    expect(granted).toEqual(needed);
  });

  it('system permissions: API Enabled and those the calls name (Edit Tasks, Edit Events, View Setup, View All Data, Send Custom Notifications)', () => {
    const granted = (permissionSet.userPermissions as { name: string; enabled: boolean }[]).filter((p) => p.enabled).map((p) => p.name);
    expect(granted.sort()).toEqual([...needs.userPermissions].sort());
    expect(granted).toEqual(expect.arrayContaining(['ApiEnabled', 'EditTask', 'SendCustomNotifications', 'ViewSetup']));
  });

  it('writes on Tasks and Events need Edit Tasks and Edit Events: a call that writes them says so', () => {
    for (const call of SALESFORCE_CALLS)
      for (const use of call.uses) {
        const writes = use.access.includes('create') || use.access.includes('edit');
        if (writes && use.object === 'Task') expect(call.userPermissions?.EditTask, call.site).toBeDefined();
        if (writes && use.object === 'Event') expect(call.userPermissions?.EditEvent, call.site).toBeDefined();
      }
  });
});

/** The service's own TypeScript (not tests, not the database layer's SQL). */
function serviceSources(): { file: string; text: string }[] {
  const root = join(import.meta.dirname, '..', '..');
  return (
    ['service/src', 'processors']
      .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name)))
      // Not the inventory itself (its prose names the channels), not tests, not the database layer's SQL.
      .filter(
        (file) =>
          file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('integration-user.ts') && !/[\\/](db|eval)[\\/]/.test(file),
      )
      .map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }))
  );
}

/** Child relationships the SOQL sub-queries name, by the object they hold. */
const RELATIONSHIPS: Record<string, string> = {
  Tasks: 'Task',
  Events: 'Event',
  OpportunityContactRoles: 'OpportunityContactRole',
  OpportunityTeamMembers: 'OpportunityTeamMember',
};

/** Parent objects read through a relationship path (`Account.Name` from Opportunity), by a path the code uses. */
const PARENT_PATHS: Record<string, string> = {
  "'Account.Name'": 'Account',
  'Profile.PermissionsModifyAllData': 'Profile',
  'Parent.ProfileId': 'PermissionSet',
};

/** Every Salesforce object the code names: SOQL FROM (and sub-query relationships), REST sObject resources, writes, CDC channels. */
function objectsNamedInCode(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (object: string, file: string) => found.set(object, [...(found.get(object) ?? []), file]);
  for (const { file, text } of serviceSources()) {
    for (const m of text.matchAll(/\bFROM\s+([A-Z]\w*)/g)) add(RELATIONSHIPS[m[1]!] ?? m[1]!, file);
    for (const m of text.matchAll(/\/sobjects\/([A-Z]\w*)/g)) add(m[1]!, file);
    for (const m of text.matchAll(/(?:sobject|updateRecord)\('([A-Z]\w*)'/g)) add(m[1]!, file);
    for (const m of text.matchAll(/\/data\/([A-Z]\w*)ChangeEvent/g)) add(m[1]!, file);
    for (const [path, object] of Object.entries(PARENT_PATHS)) if (text.includes(path)) add(object, file);
  }
  return found;
}

describe('the inventory of calls covers the code', () => {
  const inCode = objectsNamedInCode();
  const inTable = new Set(SALESFORCE_CALLS.flatMap((c) => c.uses.map((u) => u.object)));

  it('every object the code queries, writes or subscribes to is in a call of the inventory', () => {
    const missing = [...inCode]
      .filter(([object]) => !inTable.has(object))
      .map(([object, files]) => `${object} (${[...new Set(files)].join(', ')})`);
    expect(missing).toEqual([]);
    expect(inCode.has('Task') && inCode.has('Opportunity') && inCode.has('EmailMessage')).toBe(true);
  });

  it('the inventory names no object the code does not use', () => {
    expect([...inTable].filter((object) => !inCode.has(object))).toEqual([]);
  });
});
