import { z } from 'zod';
import { IsoDateTimeSchema } from '../../service/src/calendar/dates.ts';
import { idKey, SALESFORCE_ID, soqlId } from '../../service/src/salesforce/ids.ts';
import { defineProcessor, PermanentError } from '../port.ts';

/**
 * Records a hard bounce on the Contact: `EmailBouncedReason` and `EmailBouncedDate`, the fields Salesforce's own
 * bounce management fills (both Create/Update on Contact in the Object Reference; `IsEmailBounced` is computed from
 * them and read-only). The engagement rules propose it when an email of the plan bounces; it runs only once the CSM
 * approves it. The update is by id and sets fixed values, so a retry changes nothing twice.
 */
export const contactBounceRecorder = defineProcessor({
  name: 'contact-bounce-recorder',
  summary: 'Records an email bounce on the contact (EmailBouncedReason, EmailBouncedDate) so no one emails the bad address again',
  notPlannable: 'proposed by the engagement rules when an email bounces, never by a plan',
  metadata: z.strictObject({
    contactId: z.string().regex(SALESFORCE_ID, 'must be a Salesforce id'),
    contactName: z.string().min(1).max(121),
    email: z.email(),
    bouncedAt: IsoDateTimeSchema,
    reason: z.string().min(1).max(255),
  }),
  writesFields: true,
  changePreview: (input) => ({
    description: `Contact ${input.contactName}: the email to ${input.email} bounced (${input.reason}); EmailBouncedReason and EmailBouncedDate are set so Salesforce shows the bounce alert`,
    fields: [
      {
        object: 'Contact',
        recordId: input.contactId,
        recordName: input.contactName,
        field: 'EmailBouncedReason',
        oldValue: null,
        newValue: input.reason,
      },
      {
        object: 'Contact',
        recordId: input.contactId,
        recordName: input.contactName,
        field: 'EmailBouncedDate',
        oldValue: null,
        newValue: input.bouncedAt,
      },
    ],
  }),
  async run(input, { task, services }) {
    const sf = services.salesforce;
    const [[opportunity], [contact]] = await Promise.all([
      sf.query<{ Id: string; AccountId: string | null }>(`SELECT Id, AccountId FROM Opportunity WHERE Id = ${soqlId(task.opportunityId)}`),
      sf.query<{ Id: string; AccountId: string | null; Email: string | null }>(
        `SELECT Id, AccountId, Email FROM Contact WHERE Id = ${soqlId(input.contactId)}`,
      ),
    ]);
    if (!opportunity) throw new PermanentError(`Opportunity ${task.opportunityId} does not exist in Salesforce`, 'NOT_FOUND');
    if (!contact) throw new PermanentError(`Contact ${input.contactName} (${input.contactId}) does not exist in Salesforce`, 'NOT_FOUND');
    if (!opportunity.AccountId || idKey(contact.AccountId ?? '') !== idKey(opportunity.AccountId))
      throw new PermanentError(`Contact ${input.contactName} does not belong to the opportunity's account`, 'WRONG_ACCOUNT');
    // Someone fixed the address since the bounce: the bounce no longer describes this contact.
    if (contact.Email?.toLowerCase() !== input.email.toLowerCase())
      throw new PermanentError(
        `Contact ${input.contactName}'s email is no longer ${input.email}; the bounce was not recorded`,
        'EMAIL_CHANGED',
      );
    await sf.updateRecord('Contact', { Id: contact.Id, EmailBouncedReason: input.reason, EmailBouncedDate: input.bouncedAt });
    return { summary: `Recorded the bounce of ${input.email} on ${input.contactName}.`, contactId: contact.Id };
  },
});
