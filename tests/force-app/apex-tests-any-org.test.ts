import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { apexRuleViolations, isApexTestClass, TEST_DATA_FACTORY } from './apex-test-rules.ts';
import { FORCE_APP, shortPath, sourceFiles } from './source-files.ts';

const classes = sourceFiles('.cls').map((file) => ({ file, name: basename(file, '.cls'), source: readFileSync(file, 'utf8') }));
const testClass = (body: string, annotation = '@IsTest') => `${annotation}\nprivate class Sample_Tests {\n${body}\n}\n`;
const rules = (source: string, name = 'Sample_Tests') => apexRuleViolations(source, name).map((v) => v.rule);

describe('Apex tests that pass in any org (issue 23)', () => {
  it.each(classes.map((c) => [shortPath(c.file), c]))(
    '%s: no SeeAllData, no profile by name, no insert outside the factory',
    (_path, { name, source }) => {
      expect(apexRuleViolations(source, name)).toEqual([]);
    },
  );

  it('has the test data factory as a test class, and every *_Tests class uses it (or its values half)', () => {
    const factory = classes.find((c) => c.name === TEST_DATA_FACTORY);
    expect(factory && isApexTestClass(factory.source)).toBe(true);
    const tests = classes.filter((c) => c.name.endsWith('_Tests'));
    expect(tests.length).toBeGreaterThanOrEqual(5);
    // RenewalActionPlanTestValues is the factory's describe half (which fields, which values).
    for (const { name, source } of tests)
      expect(source, name).toMatch(new RegExp(`\\b(${TEST_DATA_FACTORY}|RenewalActionPlanTestValues)\\.`));
  });

  it('sees the inserts the factory itself makes, were it any other test class', () => {
    const factory = classes.find((c) => c.name === TEST_DATA_FACTORY)!;
    expect(rules(factory.source, 'SomeOther_Tests')).toContain('insert-outside-factory');
  });

  it('catches SeeAllData in any form', () => {
    expect(rules(testClass('', '@IsTest(SeeAllData=true)'))).toEqual(['see-all-data']);
    expect(rules(testClass('@isTest(seeAllData = true) static void m() {}'))).toEqual(['see-all-data']);
  });

  it('catches a profile looked up by name, in SOQL, in a dynamic query and through a relationship', () => {
    expect(rules(testClass("Id p = [SELECT Id FROM Profile WHERE Name = 'Standard User'].Id;"))).toEqual(['profile-name']);
    expect(rules(testClass("List<Profile> p = [SELECT Id FROM Profile WHERE UserType = 'Standard' AND Name LIKE 'Sys%'];"))).toEqual([
      'profile-name',
    ]);
    expect(rules(testClass("Object p = Database.query('SELECT Id FROM Profile WHERE Name = :n');"))).toEqual(['profile-name']);
    expect(rules(testClass('Boolean admin = u.Profile.Name == n;'))).toEqual(['profile-name']);
    // Everywhere, not only in tests.
    expect(rules("public class Lookup {\n  Id p = [SELECT Id FROM Profile WHERE Name = 'Custom: Sales'].Id;\n}", 'Lookup')).toEqual([
      'profile-name',
    ]);
  });

  it('allows the running user profile id, and a profile query by id', () => {
    expect(rules(testClass('Id p = UserInfo.getProfileId(); String n = [SELECT Name FROM Profile WHERE Id = :p].Name;'))).toEqual([]);
  });

  it('catches inserts in a test class that bypass the factory, in every form', () => {
    for (const body of [
      "insert new Account(Name = 'Acme');",
      'Database.insert(accounts, false);',
      'Database.Insert(accounts);',
      'upsert contacts Contact.Email;',
      'merge master duplicate;',
      'Database.insertImmediate(record);',
      "List<SObject> rows = Test.loadData(Account.SObjectType, 'accounts');",
    ]) {
      expect(rules(testClass(`static void m() { ${body} }`)), body).toEqual(['insert-outside-factory']);
    }
  });

  it('ignores insert in comments and strings, deletes and updates, the factory, and classes that are not tests', () => {
    const body = [
      '// insert new Account();',
      "/* Database.insert(x); */ String s = 'insert it';",
      'RenewalActionPlanTestData.insertAll(records);',
      'delete records; update records;',
    ].join('\n');
    expect(rules(testClass(body))).toEqual([]);
    expect(rules(testClass('static void m() { insert x; }'), TEST_DATA_FACTORY)).toEqual([]);
    expect(rules('public with sharing class Repository {\n  void save(Account a) { insert a; }\n}', 'Repository')).toEqual([]);
  });

  it('reports the line of a violation', () => {
    expect(apexRuleViolations(testClass('\n\ninsert a;'), 'Sample_Tests')).toEqual([
      { rule: 'insert-outside-factory', line: 5, text: 'insert' },
    ]);
  });
});

describe('the scratch org to run the Apex tests in (docs/org-shapes.md, "Apex tests in any org")', () => {
  const root = join(FORCE_APP, '..');
  const definition = JSON.parse(readFileSync(join(root, 'config', 'scratch-orgs', 'features-off.json'), 'utf8'));
  const shape = join(root, 'dev', 'scratch-org-shape');

  it('is an Enterprise org in German with account teams, team selling and Enhanced Email off', () => {
    expect(definition).toMatchObject({
      edition: 'Enterprise',
      language: 'de',
      settings: {
        accountSettings: { enableAccountTeams: false },
        opportunitySettings: { enableOpportunityTeam: false },
        emailAdministrationSettings: { enableEnhancedEmailEnabled: false },
      },
    });
    // The package deploys a custom notification type: the one feature it needs.
    expect(definition.features).toEqual(['CustomNotificationType']);
  });

  it('adds a required field and validation rules, each listed in package.xml and defined in its object file', () => {
    const xml = new XMLParser({
      ignoreAttributes: true,
      isArray: (name) => ['types', 'members', 'fields', 'validationRules'].includes(name),
    });
    const manifest: { name: string; members: string[] }[] = xml.parse(readFileSync(join(shape, 'package.xml'), 'utf8')).Package.types;
    const members = manifest.flatMap((t) => t.members.map((m) => `${t.name} ${m}`)).sort();
    expect(members).toEqual([
      'CustomField Opportunity.Renewal_Region__c',
      'ValidationRule Account.Industry_required',
      'ValidationRule Contact.Contact_needs_account',
      'ValidationRule Opportunity.Amount_in_negotiation',
      'ValidationRule Task.Subject_required',
    ]);
    const defined = readdirSync(join(shape, 'objects')).flatMap((file) => {
      const source = readFileSync(join(shape, 'objects', file), 'utf8');
      expect(XMLValidator.validate(source), file).toBe(true);
      const object = xml.parse(source).CustomObject;
      const name = basename(file, '.object');
      return [
        ...(object.fields ?? []).map((f: { fullName: string; required: boolean }) => {
          expect(f.required, f.fullName).toBe(true);
          return `CustomField ${name}.${f.fullName}`;
        }),
        ...(object.validationRules ?? []).map((r: { fullName: string }) => `ValidationRule ${name}.${r.fullName}`),
      ];
    });
    expect(defined.sort()).toEqual(members);
  });
});
