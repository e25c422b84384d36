import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/src/config.ts';
import { isApexTestClass } from './apex-test-rules.ts';
import { FORCE_APP, sourceFiles } from './source-files.ts';

const xml = new XMLParser({
  ignoreAttributes: true,
  isArray: (name) =>
    [
      'types',
      'members',
      'fieldPermissions',
      'classAccesses',
      'customPermissions',
      'externalCredentialPrincipalAccesses',
      'externalCredentialParameters',
      'namedCredentialParameters',
      'object',
      'itemInstances',
      'flexiPageRegions',
      'target',
      'actionCalls',
      'scheduledPaths',
      'inputParameters',
      'filters',
      'pageAccesses',
    ].includes(name),
});
const readXml = (file: string) => xml.parse(readFileSync(file, 'utf8'));
const source = (path: string) => join(FORCE_APP, 'main', 'default', path);

const EXPECTED: Record<string, string[]> = {
  ApexClass: [
    'RenewalActionPlanAssertion',
    'RenewalActionPlanAssertion_Tests',
    'RenewalActionPlanController',
    'RenewalActionPlanController_Tests',
    'RenewalActionPlanMassStart',
    'RenewalActionPlanMassStart_Tests',
    'RenewalActionPlanStart',
    'RenewalActionPlanStart_Tests',
    'RenewalActionPlanTestData',
    'RenewalActionPlanTestData_Tests',
    'RenewalActionPlanTestValues',
    'RenewalActionPlanTestValues_Tests',
  ],
  ApexPage: ['RenewalActionPlanMassStart'],
  LightningComponentBundle: [
    'actionPlanAddedTasks',
    'actionPlanAiTasks',
    'actionPlanCalendarFeed',
    'actionPlanCsmTasks',
    'actionPlanFormat',
    'actionPlanHeader',
    'actionPlanMeetingSlots',
    'actionPlanMetrics',
    'actionPlanNextWorkflow',
    'actionPlanSummary',
    'actionPlanTimeline',
    'errorPanel',
    'ldsUtils',
    'renewalActionPlan',
    'renewalPortfolio',
  ],
  CustomField: [
    'Activity.Action_Plan_Event_Id__c',
    'Activity.Action_Plan_Task_Id__c',
    'Opportunity.Auto_Renewal__c',
    'Opportunity.Current_ARR__c',
    'Opportunity.Notice_Period_Days__c',
    'Opportunity.Previous_Contact__c',
    'Opportunity.Price_Increase_Cap__c',
    'Opportunity.Primary_Contact__c',
    'Opportunity.Renewal_Date__c',
    'Opportunity.Termination_Terms__c',
    'Renewal_Action_Plan_Setting__mdt.Assertion_Certificate__c',
    'Renewal_Action_Plan_Setting__mdt.Service_Audience__c',
  ],
  CustomObject: ['Renewal_Action_Plan_Setting__mdt'],
  CustomMetadata: ['Renewal_Action_Plan_Setting.Default'],
  CustomPermission: ['Renewal_Action_Plans_User'],
  PermissionSet: ['Renewal_Action_Plans', 'Renewal_Action_Plans_Service'],
  CustomNotificationType: ['Renewal_Action_Plan_Alert'],
  NamedCredential: ['RenewalActionPlanService'],
  ExternalCredential: ['RenewalActionPlanService'],
  FlexiPage: ['Renewal_Opportunity_Record_Page'],
  Flow: ['Start_Renewal_Action_Plan'],
  WebLink: ['Opportunity.Start_Renewal_Action_Plans'],
};

const ON_DISK = [
  'classes/RenewalActionPlanController.cls',
  'classes/RenewalActionPlanController.cls-meta.xml',
  'classes/RenewalActionPlanController_Tests.cls',
  'lwc/renewalActionPlan/renewalActionPlan.js',
  'lwc/renewalActionPlan/actionPlanModel.js',
  'lwc/renewalActionPlan/renewalActionPlan.js-meta.xml',
  'lwc/renewalPortfolio/renewalPortfolio.js',
  'lwc/renewalPortfolio/renewalPortfolio.js-meta.xml',
  'objects/Opportunity.object',
  'objects/Activity.object',
  'customPermissions/Renewal_Action_Plans_User.customPermission',
  'permissionsets/Renewal_Action_Plans.permissionset',
  'permissionsets/Renewal_Action_Plans_Service.permissionset',
  'notificationtypes/Renewal_Action_Plan_Alert.notiftype',
  'namedCredentials/RenewalActionPlanService.namedCredential',
  'externalCredentials/RenewalActionPlanService.externalCredential',
  'flexipages/Renewal_Opportunity_Record_Page.flexipage',
  'flows/Start_Renewal_Action_Plan.flow',
  'pages/RenewalActionPlanMassStart.page',
  'pages/RenewalActionPlanMassStart.page-meta.xml',
];

describe('force-app converted to Metadata API format (offline)', () => {
  let out: string;
  let manifest: Record<string, string[]>;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'rap-mdapi-'));
    const components = ComponentSet.fromSource(FORCE_APP);
    await new MetadataConverter().convert(components, 'metadata', { type: 'directory', outputDirectory: out, genUniqueDir: false });
    const pkg = readXml(join(out, 'package.xml')).Package;
    manifest = Object.fromEntries(pkg.types.map((t: { name: string; members: string[] }) => [t.name, [...t.members].sort()]));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('lists exactly the expected components in package.xml', () => {
    expect(manifest).toEqual(EXPECTED);
  });

  it.each(ON_DISK)('writes %s', (path) => {
    expect(existsSync(join(out, path))).toBe(true);
  });

  it('leaves the jest tests and fixtures out of the deployment', () => {
    expect(existsSync(join(out, 'lwc/renewalActionPlan/__tests__'))).toBe(false);
    expect(sourceFiles('.test.js').length).toBeGreaterThan(0);
  });

  it('merges the custom fields into their objects', () => {
    const opportunity = readFileSync(join(out, 'objects/Opportunity.object'), 'utf8');
    for (const field of [
      'Primary_Contact__c',
      'Previous_Contact__c',
      'Current_ARR__c',
      'Renewal_Date__c',
      'Notice_Period_Days__c',
      'Auto_Renewal__c',
      'Price_Increase_Cap__c',
      'Termination_Terms__c',
    ]) {
      expect(opportunity).toContain(`<fullName>${field}</fullName>`);
    }
    const activity = readXml(join(out, 'objects/Activity.object')).CustomObject.fields;
    expect(activity).toEqual(
      ['Action_Plan_Event_Id__c', 'Action_Plan_Task_Id__c'].map((fullName) =>
        expect.objectContaining({ fullName, externalId: true, unique: true, length: 64, type: 'Text' }),
      ),
    );
  });
});

describe('the permission set', () => {
  const permissionSet = readXml(source('permissionsets/Renewal_Action_Plans.permissionset-meta.xml')).PermissionSet;
  const granted = new Map(permissionSet.fieldPermissions.map((p: { field: string; readable: boolean }) => [p.field, p.readable]));

  it('grants every Apex class that is not a test, and the list-view page', () => {
    const classes = sourceFiles('.cls')
      .filter((file) => !isApexTestClass(readFileSync(file, 'utf8')))
      .map((file) => file.split(/[\\/]/).pop()!.replace('.cls', ''));
    expect(classes).toContain('RenewalActionPlanController');
    for (const apexClass of classes) expect(permissionSet.classAccesses).toContainEqual({ apexClass, enabled: true });
    expect(permissionSet.pageAccesses).toContainEqual({ apexPage: 'RenewalActionPlanMassStart', enabled: true });
  });

  const fieldFiles = sourceFiles('.field-meta.xml');
  it.each(fieldFiles.map((file) => [file.split(/[\\/]objects[\\/]/)[1]!, file]))('grants read access to %s', (_name, file) => {
    const [object, , fileName] = file.split(/[\\/]objects[\\/]/)[1]!.split(/[\\/]/);
    const field = fileName!.replace('.field-meta.xml', '');
    // Custom metadata fields have no field-level security: Apex reads the setting whatever the user's permissions.
    if (object!.endsWith('__mdt')) return;
    // Activity fields are granted on the object that uses them: the mirror's key is on Tasks only, the booked meeting's
    // key on Events only.
    const objects = object === 'Activity' ? [field === 'Action_Plan_Event_Id__c' ? 'Event' : 'Task'] : [object];
    for (const name of objects) expect(granted.get(`${name}.${field}`)).toBe(true);
  });

  it("gives CSMs the mirror's key read-only (an edit would break the mirror), and no permission on unused fields", () => {
    const key = permissionSet.fieldPermissions.find((p: { field: string }) => p.field === 'Task.Action_Plan_Task_Id__c');
    expect(key).toMatchObject({ readable: true, editable: false });
    const eventKey = permissionSet.fieldPermissions.find((p: { field: string }) => p.field === 'Event.Action_Plan_Event_Id__c');
    expect(eventKey).toMatchObject({ readable: true, editable: false });
    const fields = permissionSet.fieldPermissions.map((p: { field: string }) => p.field);
    expect(fields).not.toContain('Event.Action_Plan_Task_Id__c');
    expect(fields).not.toContain('Task.Action_Plan_Event_Id__c');
  });

  it('grants the custom permission the controller checks', () => {
    const controller = readFileSync(source('classes/RenewalActionPlanController.cls'), 'utf8');
    const checked = /CUSTOM_PERMISSION = '([^']+)'/.exec(controller)?.[1];
    expect(checked).toBe('Renewal_Action_Plans_User');
    expect(permissionSet.customPermissions).toContainEqual({ name: checked, enabled: true });
  });

  it('grants the External Credential principal that the Named Credential uses', () => {
    const external = readXml(source('externalCredentials/RenewalActionPlanService.externalCredential-meta.xml')).ExternalCredential;
    const principal = external.externalCredentialParameters.find((p: { parameterType: string }) => p.parameterType === 'NamedPrincipal');
    expect(permissionSet.externalCredentialPrincipalAccesses).toContainEqual({
      externalCredentialPrincipal: `RenewalActionPlanService-${principal.parameterName}`,
      enabled: true,
    });
  });
});

describe('docs/admin.md (the admin guide; force-app/README.md points to it)', () => {
  it('names every field the package adds, and every component type it deploys', () => {
    const readme = readFileSync(join(FORCE_APP, '..', 'docs', 'admin.md'), 'utf8');
    for (const file of sourceFiles('.field-meta.xml')) {
      const [object, , name] = file.split(/[\\/]objects[\\/]/)[1]!.split(/[\\/]/);
      const field = name!.replace('.field-meta.xml', '');
      expect(readme).toContain(
        object === 'Activity' ? `${field === 'Action_Plan_Event_Id__c' ? 'Event' : 'Task'}.${field}` : `${object}.${field}`,
      );
    }
    for (const name of [
      ...EXPECTED.CustomNotificationType!,
      ...EXPECTED.PermissionSet!,
      ...EXPECTED.FlexiPage!,
      ...EXPECTED.Flow!,
      ...EXPECTED.ApexPage!,
      'Start_Renewal_Action_Plans',
      'RenewalActionPlanStart',
    ])
      expect(readme).toContain(name);
  });
});

describe('references between components', () => {
  it('the service sends the notification type the package deploys, and the integration user may send it', () => {
    const type = readXml(source('notificationtypes/Renewal_Action_Plan_Alert.notiftype-meta.xml')).CustomNotificationType;
    expect(type).toMatchObject({ desktop: true, mobile: true, masterLabel: 'Renewal Action Plan Alert' });
    expect(loadConfig({}).env.SF_NOTIFICATION_TYPE).toBe('Renewal_Action_Plan_Alert');
    const service = readXml(source('permissionsets/Renewal_Action_Plans_Service.permissionset-meta.xml')).PermissionSet;
    expect(service.userPermissions).toContainEqual({ enabled: true, name: 'SendCustomNotifications' });
  });

  it("the integration user may read the CSMs' field-level security (FieldPermissions needs View Setup and Configuration)", () => {
    const service = readXml(source('permissionsets/Renewal_Action_Plans_Service.permissionset-meta.xml')).PermissionSet;
    expect(service.userPermissions).toContainEqual({ enabled: true, name: 'ViewSetup' });
  });

  it('the component declares the desktop and phone form factors on the Opportunity record page', () => {
    const withAttributes = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
    const bundle = withAttributes.parse(
      readFileSync(source('lwc/renewalActionPlan/renewalActionPlan.js-meta.xml'), 'utf8'),
    ).LightningComponentBundle;
    const config = bundle.targetConfigs.targetConfig;
    expect(config).toMatchObject({ targets: 'lightning__RecordPage', objects: { object: 'Opportunity' } });
    expect(config.supportedFormFactors.supportedFormFactor).toEqual([{ type: 'Large' }, { type: 'Small' }]);
  });

  it('the controller calls out through the Named Credential that exists, which uses the External Credential', () => {
    const controller = readFileSync(source('classes/RenewalActionPlanController.cls'), 'utf8');
    const name = /NAMED_CREDENTIAL = '([^']+)'/.exec(controller)?.[1];
    const named = readXml(source(`namedCredentials/${name}.namedCredential-meta.xml`)).NamedCredential;
    const auth = named.namedCredentialParameters.find((p: { parameterType: string }) => p.parameterType === 'Authentication');
    expect(existsSync(source(`externalCredentials/${auth.externalCredential}.externalCredential-meta.xml`))).toBe(true);
  });

  it('the External Credential sends the secret as a bearer token from its own ApiKey parameter', () => {
    const external = readXml(source('externalCredentials/RenewalActionPlanService.externalCredential-meta.xml')).ExternalCredential;
    const header = external.externalCredentialParameters.find((p: { parameterType: string }) => p.parameterType === 'AuthHeader');
    expect(header.parameterName).toBe('Authorization');
    expect(header.parameterValue).toBe("{!'Bearer ' & $Credential.RenewalActionPlanService.ApiKey}");
  });

  it('the record page places the component, which is exposed for Opportunity record pages', () => {
    const page = readXml(source('flexipages/Renewal_Opportunity_Record_Page.flexipage-meta.xml')).FlexiPage;
    const names = page.flexiPageRegions.flatMap((r: { itemInstances: { componentInstance: { componentName: string } }[] }) =>
      r.itemInstances.map((i) => i.componentInstance.componentName),
    );
    expect(names).toContain('renewalActionPlan');
    expect(page.sobjectType).toBe('Opportunity');
    const bundle = readXml(source('lwc/renewalActionPlan/renewalActionPlan.js-meta.xml')).LightningComponentBundle;
    expect(bundle.isExposed).toBe(true);
    expect(bundle.targets.target).toContain('lightning__RecordPage');
    expect(bundle.targetConfigs.targetConfig.objects.object).toEqual(['Opportunity']);
  });

  it('the portfolio is exposed for the Home page and app pages', () => {
    const bundle = readXml(source('lwc/renewalPortfolio/renewalPortfolio.js-meta.xml')).LightningComponentBundle;
    expect(bundle.isExposed).toBe(true);
    expect([bundle.targets.target].flat().sort()).toEqual(['lightning__AppPage', 'lightning__HomePage']);
  });
});

describe('starting plans from Flow and from list views', () => {
  const flow = readXml(source('flows/Start_Renewal_Action_Plan.flow-meta.xml')).Flow;
  const action = readFileSync(source('classes/RenewalActionPlanStart.cls'), 'utf8');

  it('the sample Flow is inactive: an admin activates it', () => {
    expect(['Draft', 'Obsolete', 'InvalidDraft']).toContain(flow.status);
  });

  it('the sample Flow is record-triggered on Opportunity, after save, on create and on update', () => {
    expect(flow.processType).toBe('AutoLaunchedFlow');
    expect(flow.start).toMatchObject({ object: ['Opportunity'], triggerType: 'RecordAfterSave', recordTriggerType: 'CreateAndUpdate' });
  });

  it('calls the action only from asynchronous paths: callouts are not allowed in the save transaction', () => {
    expect(flow.start.connector).toBeUndefined();
    const paths = flow.start.scheduledPaths as {
      connector: { targetReference: string };
      pathType?: string;
      offsetNumber?: number;
      recordField?: string;
    }[];
    expect(paths.find((p) => p.pathType === 'AsyncAfterCommit')).toBeDefined();
    expect(paths.find((p) => p.recordField === 'CloseDate')).toMatchObject({
      offsetNumber: -150,
      offsetUnit: 'Days',
      timeSource: 'RecordField',
    });
    const reached = new Set(paths.map((p) => p.connector.targetReference));
    const calls = flow.actionCalls as { name: string; actionName: string; actionType: string; inputParameters: { name: string }[] }[];
    expect(calls.map((c) => c.name).sort()).toEqual([...reached].sort());
    for (const call of calls) {
      expect(call).toMatchObject({ actionName: 'RenewalActionPlanStart', actionType: 'apex' });
      expect(call.inputParameters.map((p) => p.name).sort()).toEqual(['generateDraft', 'opportunityId']);
    }
  });

  it('the action the Flow names is an invocable method that may call out, with the variables the Flow sets', () => {
    const annotation = /@InvocableMethod\(([\s\S]*?)\)\s*public static List<Result> start\(List<Request> requests\)/.exec(action)?.[1];
    expect(annotation).toMatch(/label='Start Renewal Action Plan'/);
    expect(annotation).toMatch(/callout=true/);
    expect(action).toMatch(/@InvocableVariable\([^)]*\)\s*public Id opportunityId;/);
    expect(action).toMatch(/@InvocableVariable\([^)]*\)\s*public Boolean generateDraft;/);
  });

  it('the list-view button is a mass action on Opportunity opening the page, which works on the selection', () => {
    const link = readXml(source('objects/Opportunity/webLinks/Start_Renewal_Action_Plans.webLink-meta.xml')).WebLink;
    expect(link).toMatchObject({
      displayType: 'massActionButton',
      linkType: 'page',
      page: 'RenewalActionPlanMassStart',
      requireRowSelection: true,
    });
    const page = readFileSync(source('pages/RenewalActionPlanMassStart.page'), 'utf8');
    expect(page).toMatch(/standardController="Opportunity"/);
    expect(page).toMatch(/recordSetVar="opportunities"/);
    expect(page).toMatch(/extensions="RenewalActionPlanMassStart"/);
  });
});
