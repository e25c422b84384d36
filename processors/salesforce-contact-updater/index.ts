import { z } from 'zod';
import { idKey, SALESFORCE_ID, soqlId } from '../../service/src/salesforce/ids.ts';
import { soqlIdList } from '../../service/src/salesforce/soql.ts';
import { defineProcessor, PermanentError, type CrmContext, type FieldChange } from '../port.ts';

const contactRef = z.strictObject({ name: z.string().min(1), salesforceId: z.string().regex(SALESFORCE_ID, 'must be a Salesforce id') });

/** The contacts of the opportunity's account that have a contact role on it, by id key. */
const accountContacts = (ctx: CrmContext) =>
  new Map(ctx.contactRoles.filter((r) => r.contact.accountId === ctx.account.id).map((r) => [idKey(r.contactId), r]));

const contactLabel = (ctx: CrmContext, id: string | null | undefined) => {
  if (!id) return null;
  const role = ctx.contactRoles.find((r) => idKey(r.contactId) === idKey(id));
  return role ? `${role.contact.name} (${id})` : id;
};

/**
 * Sets the opportunity's Primary_Contact__c (and Previous_Contact__c), then logs a completed Task as the audit
 * trail. Both contacts must belong to the opportunity's account. The update is by id and the audit Task is keyed
 * `<task id>:audit`, so a retry after a lost response changes nothing twice.
 */
export const salesforceContactUpdater = defineProcessor({
  name: 'salesforce-contact-updater',
  summary: 'Sets the opportunity primary contact (and previous contact) in Salesforce with an audit trail',
  metadata: z.strictObject({
    oldContact: contactRef.nullable(),
    newContact: contactRef,
    updateLocalRecord: z.boolean(),
  }),
  perPlan: { max: 1, noun: 'contact updates' },
  writesFields: true,
  groundable: (ctx) => ctx.contactRoles.some((r) => r.contact.accountId === ctx.account.id),
  groundingErrors(input, ctx) {
    const errors: string[] = [];
    const contacts = accountContacts(ctx);
    if (!contacts.has(idKey(input.newContact.salesforceId)))
      errors.push(`new contact ${input.newContact.salesforceId} has no contact role on this opportunity's account`);
    const old = input.oldContact ? idKey(input.oldContact.salesforceId) : undefined;
    if (old && !contacts.has(old) && old !== (ctx.opportunity.primaryContactId ? idKey(ctx.opportunity.primaryContactId) : undefined))
      errors.push(`previous contact ${input.oldContact!.salesforceId} is not this opportunity's contact`);
    return errors;
  },
  changePreview(input, ctx) {
    const o = ctx.opportunity;
    const onOpportunity = (field: string, oldValue: string | null, newValue: string | null): FieldChange => ({
      object: 'Opportunity',
      recordId: o.id,
      recordName: o.name,
      field,
      oldValue,
      newValue,
    });
    return {
      description: `Opportunity "${o.name}": Primary_Contact__c ${input.oldContact?.name ?? '(empty)'} → ${input.newContact.name}; Previous_Contact__c → ${input.oldContact?.name ?? '(unchanged)'}; a completed audit Task is logged`,
      fields: [
        onOpportunity('Primary_Contact__c', contactLabel(ctx, o.primaryContactId), contactLabel(ctx, input.newContact.salesforceId)),
        ...(input.oldContact
          ? [onOpportunity('Previous_Contact__c', contactLabel(ctx, o.previousContactId), contactLabel(ctx, input.oldContact.salesforceId))]
          : []),
        {
          object: 'Task',
          recordId: null,
          recordName: null,
          field: 'Subject',
          oldValue: null,
          newValue: `Primary contact changed to ${input.newContact.name} (audit, completed)`,
        },
      ],
    };
  },
  async run(input, { task, services }) {
    const sf = services.salesforce;
    const ids = [input.newContact.salesforceId, ...(input.oldContact ? [input.oldContact.salesforceId] : [])];
    // Both reads at once: they share one composite request.
    const [[opportunity], contacts] = await Promise.all([
      sf.query<{ Id: string; AccountId: string | null; Primary_Contact__c: string | null }>(
        `SELECT Id, AccountId, Primary_Contact__c FROM Opportunity WHERE Id = ${soqlId(task.opportunityId)}`,
      ),
      sf.query<{ Id: string; AccountId: string | null; Name: string }>(
        `SELECT Id, AccountId, Name FROM Contact WHERE Id IN ${soqlIdList(ids)}`,
      ),
    ]);
    if (!opportunity) throw new PermanentError(`Opportunity ${task.opportunityId} does not exist in Salesforce`, 'NOT_FOUND');
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
      : opportunity.Primary_Contact__c && opportunity.Primary_Contact__c !== newId
        ? opportunity.Primary_Contact__c
        : null;

    await sf.updateRecord('Opportunity', { Id: opportunity.Id, Primary_Contact__c: newId, Previous_Contact__c: previousId });
    const from = input.oldContact?.name ?? (previousId ? previousId : 'none');
    const auditTaskId = await sf.upsertAuditTask(`${task.id}:audit`, {
      WhatId: opportunity.Id,
      WhoId: newId,
      ...(task.assigneeUserId ? { OwnerId: task.assigneeUserId } : {}),
      Subject: `Primary contact changed: ${from} → ${input.newContact.name}`.slice(0, 255),
      Description:
        `Renewal Action Plans AI task ${task.id} set Primary_Contact__c to ${input.newContact.name} (${newId})` +
        `${previousId ? ` and Previous_Contact__c to ${from} (${previousId})` : ''}.`,
      ActivityDate: services.today(),
      Priority: 'Normal',
    });
    const repointed = input.updateLocalRecord && previousId ? await services.repointPlanContacts(previousId, newId) : 0;
    return {
      summary: `Primary contact is now ${input.newContact.name}${previousId ? ` (previously ${from})` : ''}.`,
      opportunityId: opportunity.Id,
      primaryContactId: newId,
      previousContactId: previousId,
      auditTaskId,
      localTasksRepointed: repointed,
    };
  },
});
