import { repointPlanContacts } from '../service/src/db/processor-records.ts';
import { processorCatalog } from './catalog.ts';
import { query, soqlId, updateRecord, upsertTask } from './salesforce.ts';
import { PermanentError, type Processor } from './types.ts';
import { idKey } from '../service/src/salesforce/ids.ts';

const name = 'salesforce-contact-updater';

/**
 * Sets the opportunity's Primary_Contact__c (and Previous_Contact__c), then logs a completed Task as the audit
 * trail. Both contacts must belong to the opportunity's account. The update is by id and the audit Task is keyed
 * `<task id>:audit`, so a retry after a lost response changes nothing twice.
 */
export const salesforceContactUpdater: Processor<(typeof processorCatalog)[typeof name]['metadata']> = {
  name,
  metadata: processorCatalog[name].metadata,
  async execute(input, { task, services }) {
    const sf = services.salesforce;
    const [opportunity] = await query<{ Id: string; AccountId: string | null; Primary_Contact__c: string | null }>(
      sf,
      `SELECT Id, AccountId, Primary_Contact__c FROM Opportunity WHERE Id = ${soqlId(task.opportunityId)}`,
    );
    if (!opportunity) throw new PermanentError(`Opportunity ${task.opportunityId} does not exist in Salesforce`, 'NOT_FOUND');
    const ids = [input.newContact.salesforceId, ...(input.oldContact ? [input.oldContact.salesforceId] : [])];
    const contacts = await query<{ Id: string; AccountId: string | null; Name: string }>(
      sf,
      `SELECT Id, AccountId, Name FROM Contact WHERE Id IN (${ids.map(soqlId).join(', ')})`,
    );
    const byId = new Map(contacts.map((c) => [idKey(c.Id), c]));
    for (const ref of [input.newContact, input.oldContact]) {
      if (!ref) continue;
      const contact = byId.get(idKey(ref.salesforceId));
      if (!contact) throw new PermanentError(`Contact ${ref.name} (${ref.salesforceId}) does not exist in Salesforce`, 'NOT_FOUND');
      if (contact.AccountId !== opportunity.AccountId)
        throw new PermanentError(`Contact ${ref.name} (${ref.salesforceId}) does not belong to the opportunity's account`, 'WRONG_ACCOUNT');
    }
    const newId = byId.get(idKey(input.newContact.salesforceId))!.Id;
    // The previous contact is the one named by the plan, else whoever was primary before this change.
    const previousId = input.oldContact
      ? byId.get(idKey(input.oldContact.salesforceId))!.Id
      : opportunity.Primary_Contact__c && opportunity.Primary_Contact__c !== newId ? opportunity.Primary_Contact__c : null;

    await updateRecord(sf, 'Opportunity', { Id: opportunity.Id, Primary_Contact__c: newId, Previous_Contact__c: previousId });
    const from = input.oldContact?.name ?? (previousId ? previousId : 'none');
    const auditTaskId = await upsertTask(sf, `${task.id}:audit`, {
      WhatId: opportunity.Id,
      WhoId: newId,
      ...(task.assigneeUserId ? { OwnerId: task.assigneeUserId } : {}),
      Subject: `Primary contact changed: ${from} → ${input.newContact.name}`.slice(0, 255),
      Description: `Renewal Action Plans AI task ${task.id} set Primary_Contact__c to ${input.newContact.name} (${newId})` +
        `${previousId ? ` and Previous_Contact__c to ${from} (${previousId})` : ''}.`,
      ActivityDate: services.today(),
      Status: 'Completed',
      Priority: 'Normal',
    });
    const repointed = input.updateLocalRecord && previousId ? await repointPlanContacts(services.sql, task.actionPlanId, previousId, newId) : 0;
    return {
      summary: `Primary contact is now ${input.newContact.name}${previousId ? ` (previously ${from})` : ''}.`,
      opportunityId: opportunity.Id,
      primaryContactId: newId,
      previousContactId: previousId,
      auditTaskId,
      localTasksRepointed: repointed,
    };
  },
};
