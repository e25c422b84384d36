import { z } from 'zod';
import { defineProcessor } from '../port.ts';

/**
 * Writes whitelisted opportunity fields (the schema admits only NextStep, Description and Probability; null means
 * "leave as is"). An update by id, so repeating it is harmless.
 */
export const crmOpportunityUpdater = defineProcessor({
  name: 'crm-opportunity-updater',
  summary: 'Updates whitelisted opportunity fields (NextStep, Description, Probability)',
  metadata: z.strictObject({
    fields: z
      .strictObject({
        NextStep: z.string().max(255).nullable(),
        Description: z.string().max(32_000).nullable(),
        Probability: z.number().min(0).max(100).nullable(),
      })
      .refine((f) => Object.values(f).some((v) => v !== null), 'must change at least one field'),
  }),
  writesFields: true,
  changePreview(input, ctx) {
    const o = ctx.opportunity;
    const changed = Object.entries(input.fields).filter((e): e is [string, string | number] => e[1] !== null);
    const current: Record<string, string | number | null> = { NextStep: o.nextStep, Description: o.description };
    const held = (field: string) => (o as Record<string, unknown>)[field.charAt(0).toLowerCase() + field.slice(1)] ?? null;
    return {
      description: `Opportunity "${o.name}": ${changed.map(([k, v]) => `${k} ${JSON.stringify(held(k))} → ${JSON.stringify(v)}`).join('; ')}`,
      fields: changed.map(([field, newValue]) => ({
        object: 'Opportunity',
        recordId: o.id,
        recordName: o.name,
        field,
        oldValue: current[field] ?? null,
        newValue,
      })),
    };
  },
  async run(input, { task, services }) {
    const fields = Object.fromEntries(Object.entries(input.fields).filter(([, v]) => v !== null));
    await services.salesforce.updateRecord('Opportunity', { Id: task.opportunityId, ...fields });
    return { summary: `Opportunity updated: ${Object.keys(fields).join(', ')}.`, fields };
  },
});
