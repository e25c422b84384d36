import { soqlId } from './ids.ts';
import { soqlString } from './soql.ts';

/**
 * Which opportunities are renewals (RENEWAL_CRITERIA). Orgs tag them differently: a Type value ("Renewal", "Existing
 * Business"), a record type, or a checkbox of their own. Without a setting, Type = 'Renewal' when the org's Opportunity
 * Type picklist has that value; otherwise the open opportunities that already have an action-plan execution (the
 * service cannot tell a renewal from the org's data, but it knows what a CSM started).
 */
export type RenewalCriteria =
  | { kind: 'type'; values: string[] }
  | { kind: 'recordType'; developerName: string }
  | { kind: 'field'; field: string }
  | { kind: 'execution' };

/** What can be configured: every kind but the fallback, which only the org's picklist decides. */
export type ConfiguredRenewalCriteria = Exclude<RenewalCriteria, { kind: 'execution' }>;

const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Parses the setting: `type:Renewal,Existing Business`, `recordType:Renewal` (a DeveloperName) or
 * `field:Is_Renewal__c` (a checkbox on Opportunity). Throws with what to write instead.
 */
export function parseRenewalCriteria(setting: string): ConfiguredRenewalCriteria {
  const colon = setting.indexOf(':');
  const kind = colon < 0 ? '' : setting.slice(0, colon).trim();
  const rest = colon < 0 ? '' : setting.slice(colon + 1).trim();
  if (kind === 'type') {
    const values = rest
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (values.length === 0) throw new Error('type: needs at least one Opportunity Type value, like type:Renewal,Existing Business');
    if (values.some((v) => v.length > 255)) throw new Error('type: a picklist value has at most 255 characters');
    return { kind: 'type', values };
  }
  if (kind === 'recordType') {
    if (!API_NAME.test(rest)) throw new Error('recordType: needs the record type’s DeveloperName, like recordType:Renewal');
    return { kind: 'recordType', developerName: rest };
  }
  if (kind === 'field') {
    if (!API_NAME.test(rest)) throw new Error('field: needs an Opportunity checkbox API name, like field:Is_Renewal__c');
    return { kind: 'field', field: rest };
  }
  throw new Error('must be type:<values>, recordType:<DeveloperName> or field:<checkbox API name>');
}

/** The criteria that apply: the configured ones, else Type = 'Renewal' when the picklist has it, else executions. */
export function renewalCriteriaFor(configured: ConfiguredRenewalCriteria | undefined, typeValues: string[]): RenewalCriteria {
  if (configured) return configured;
  return typeValues.includes('Renewal') ? { kind: 'type', values: ['Renewal'] } : { kind: 'execution' };
}

/**
 * The WHERE condition that selects renewals, for any query on Opportunity. For the execution fallback it needs the
 * opportunity ids that have an execution, and is undefined when there are none (no opportunity matches; SOQL has no
 * empty IN list). Every value is escaped here, and each condition is one predicate, so callers join it with AND as is.
 * @example renewalCondition({ kind: 'type', values: ["O'Brien"] }) === "Type = 'O\\'Brien'"
 */
export function renewalCondition(criteria: RenewalCriteria, executionOpportunityIds: string[] = []): string | undefined {
  switch (criteria.kind) {
    case 'type':
      return criteria.values.length === 1
        ? `Type = ${soqlString(criteria.values[0]!)}`
        : `Type IN (${criteria.values.map(soqlString).join(', ')})`;
    case 'recordType':
      return `RecordType.DeveloperName = ${soqlString(criteria.developerName)}`;
    case 'field':
      if (!API_NAME.test(criteria.field)) throw new Error(`not a field API name: ${criteria.field}`);
      return `${criteria.field} = true`;
    case 'execution':
      return executionOpportunityIds.length ? `Id IN (${executionOpportunityIds.map(soqlId).join(', ')})` : undefined;
  }
}

/** The criteria in words, for the doctor and the start log. */
export function describeRenewalCriteria(criteria: RenewalCriteria, configured: boolean): string {
  const source = configured ? 'RENEWAL_CRITERIA' : 'default';
  switch (criteria.kind) {
    case 'type':
      return `${source}: Type in ${criteria.values.map((v) => `'${v}'`).join(', ')}`;
    case 'recordType':
      return `${source}: record type ${criteria.developerName}`;
    case 'field':
      return `${source}: ${criteria.field} = true`;
    case 'execution':
      return `${source} (Opportunity Type has no 'Renewal' value): open opportunities with an action-plan execution`;
  }
}
