import { describe, expect, it } from 'vitest';
import { describeRenewalCriteria, parseRenewalCriteria, renewalCondition, renewalCriteriaFor } from './renewal-criteria.ts';

describe('RENEWAL_CRITERIA', () => {
  it('parses each form', () => {
    expect(parseRenewalCriteria('type:Renewal, Existing Business')).toEqual({ kind: 'type', values: ['Renewal', 'Existing Business'] });
    expect(parseRenewalCriteria('recordType:Renewal')).toEqual({ kind: 'recordType', developerName: 'Renewal' });
    expect(parseRenewalCriteria('field:Is_Renewal__c')).toEqual({ kind: 'field', field: 'Is_Renewal__c' });
  });

  it('refuses what is not one of the forms, or a name that is not an API name', () => {
    expect(() => parseRenewalCriteria('Renewal')).toThrow(/type:<values>/);
    expect(() => parseRenewalCriteria('type:')).toThrow(/at least one/);
    expect(() => parseRenewalCriteria("field:Is_Renewal__c = true OR Name != ''")).toThrow(/checkbox API name/);
    expect(() => parseRenewalCriteria("recordType:x' OR Id != null")).toThrow(/DeveloperName/);
  });

  it("defaults to Type = 'Renewal' when the picklist has it, else to opportunities with an execution", () => {
    expect(renewalCriteriaFor(undefined, ['New Business', 'Renewal'])).toEqual({ kind: 'type', values: ['Renewal'] });
    expect(renewalCriteriaFor(undefined, ['New Business', 'Existing Business'])).toEqual({ kind: 'execution' });
    expect(renewalCriteriaFor({ kind: 'field', field: 'X__c' }, ['Renewal'])).toEqual({ kind: 'field', field: 'X__c' });
  });

  it('builds one escaped SOQL condition per form', () => {
    expect(renewalCondition({ kind: 'type', values: ['Renewal'] })).toBe("Type = 'Renewal'");
    expect(renewalCondition({ kind: 'type', values: ['Renewal', "Customer's \\ Existing"] })).toBe(
      "Type IN ('Renewal', 'Customer\\'s \\\\ Existing')",
    );
    expect(renewalCondition({ kind: 'recordType', developerName: 'Renewal' })).toBe("RecordType.DeveloperName = 'Renewal'");
    expect(renewalCondition({ kind: 'field', field: 'Is_Renewal__c' })).toBe('Is_Renewal__c = true');
    expect(renewalCondition({ kind: 'execution' }, ['0065e0000000001AAA', '0065e0000000002AAA'])).toBe(
      "Id IN ('0065e0000000001AAA', '0065e0000000002AAA')",
    );
  });

  it('matches nothing, without a query, when the fallback has no execution yet', () => {
    expect(renewalCondition({ kind: 'execution' }, [])).toBeUndefined();
  });

  it('escapes a Type value with a quote or a newline (soql.ts), and refuses ids that are not ids rather than writing them into a query', () => {
    expect(renewalCondition({ kind: 'type', values: ["Renewal's\nnext"] })).toBe("Type = 'Renewal\\'s\\nnext'");
    expect(() => renewalCondition({ kind: 'execution' }, ["x' OR Id != null"])).toThrow(/not a Salesforce id/);
  });

  it('says which criteria apply and where they come from', () => {
    expect(describeRenewalCriteria({ kind: 'type', values: ['Renewal'] }, false)).toBe("default: Type in 'Renewal'");
    expect(describeRenewalCriteria({ kind: 'field', field: 'Is_Renewal__c' }, true)).toBe('RENEWAL_CRITERIA: Is_Renewal__c = true');
    expect(describeRenewalCriteria({ kind: 'execution' }, false)).toMatch(/no 'Renewal' value.*action-plan execution/);
  });
});
