import { processorCatalog } from './catalog.ts';
import { updateRecord } from './salesforce.ts';
import type { Processor } from './types.ts';

const name = 'crm-opportunity-updater';

/**
 * Writes whitelisted opportunity fields (the catalog's schema admits only NextStep, Description and Probability;
 * null means "leave as is"). An update by id, so repeating it is harmless.
 */
export const crmOpportunityUpdater: Processor<(typeof processorCatalog)[typeof name]['metadata']> = {
  name,
  metadata: processorCatalog[name].metadata,
  async execute(input, { task, services }) {
    const fields = Object.fromEntries(Object.entries(input.fields).filter(([, v]) => v !== null));
    await updateRecord(services.salesforce, 'Opportunity', { Id: task.opportunityId, ...fields });
    return { summary: `Opportunity updated: ${Object.keys(fields).join(', ')}.`, fields };
  },
};
