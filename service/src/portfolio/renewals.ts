import { opportunityIdsWithExecutions } from '../db/executions.ts';
import type { Deps } from '../deps.ts';
import { renewalCondition } from '../salesforce/renewal-criteria.ts';

/**
 * The SOQL condition that selects renewals now, from the criteria the gateway holds (RENEWAL_CRITERIA or the org's
 * default); for the execution fallback, the opportunities with an execution are read from the database first.
 * Undefined: no opportunity can match (the fallback, before any execution exists).
 */
export async function currentRenewalCondition(deps: Deps): Promise<string | undefined> {
  const criteria = deps.salesforce.renewalCriteria;
  const ids = criteria.kind === 'execution' ? await opportunityIdsWithExecutions(deps.db.sql) : [];
  return renewalCondition(criteria, ids);
}
