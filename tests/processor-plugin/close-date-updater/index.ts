import { z } from 'zod';
import { defineProcessor } from '../../../processors/port.ts';

/**
 * A processor that exists only in this test: it moves the opportunity's CloseDate. Its folder and one line in
 * `../registry.ts` are all it takes for validation, the planners' catalog and the approval gate to know it.
 */
export const closeDateUpdater = defineProcessor({
  name: 'close-date-updater',
  summary: 'Moves the opportunity close date (never past the renewal date)',
  metadata: z.strictObject({ closeDate: z.iso.date() }),
  writesFields: true,
  groundingErrors: (input, ctx) =>
    input.closeDate > ctx.opportunity.renewalDate
      ? [`close date ${input.closeDate} is after the renewal date ${ctx.opportunity.renewalDate}`]
      : [],
  changePreview: (input, ctx) => ({
    description: `Opportunity "${ctx.opportunity.name}": CloseDate ${ctx.opportunity.closeDate} → ${input.closeDate}`,
    fields: [
      {
        object: 'Opportunity',
        recordId: ctx.opportunity.id,
        recordName: ctx.opportunity.name,
        field: 'CloseDate',
        oldValue: ctx.opportunity.closeDate,
        newValue: input.closeDate,
      },
    ],
  }),
  async run(input, { task, services }) {
    await services.salesforce.updateRecord('Opportunity', { Id: task.opportunityId, CloseDate: input.closeDate });
    return { summary: `Close date moved to ${input.closeDate}.` };
  },
});
