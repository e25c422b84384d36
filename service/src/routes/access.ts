import type { Deps } from '../deps.ts';
import { forbidden } from '../http-errors.ts';

/** Throws 403 unless the Salesforce user can edit the opportunity (checked through Salesforce). */
export async function requireOpportunityAccess(deps: Deps, userId: string, opportunityId: string): Promise<void> {
  if (!(await deps.salesforce.canEdit(userId, opportunityId))) {
    throw forbidden(`User ${userId} cannot edit opportunity ${opportunityId} in Salesforce`);
  }
}
