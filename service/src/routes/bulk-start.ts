import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { CONTEXTS_PER_QUERY } from '../salesforce/context.ts';
import { SalesforceId } from '../salesforce/ids.ts';
import { BULK_OUTCOMES, bulkStartWorkflows } from '../workflows/bulk-start.ts';
import { router } from './openapi-hono.ts';
import { errorResponses, json, jsonBody } from './schemas.ts';

/** Up to 200 opportunities (a Flow's batch, a list view's selection); 15- or 18-character ids, duplicates collapsed. */
const BulkStartBody = z
  .object({
    opportunityIds: z
      .array(SalesforceId)
      .min(1, 'must name at least one opportunity')
      .max(CONTEXTS_PER_QUERY, `must name at most ${CONTEXTS_PER_QUERY} opportunities (send more in several requests)`),
    generate: z.boolean().optional(),
  })
  .strict();

const BulkStartResponse = z.object({
  results: z.array(
    z.object({
      opportunityId: z.string(),
      outcome: z.enum(BULK_OUTCOMES),
      executionId: z.string().optional(),
      planId: z.string().optional(),
      generation: z.literal('queued').optional(),
      message: z.string().optional(),
    }),
  ),
  counts: z.object(
    Object.fromEntries(BULK_OUTCOMES.map((o) => [o, z.number().int()])) as Record<(typeof BULK_OUTCOMES)[number], z.ZodNumber>,
  ),
});

/** Starting the workflows of many opportunities at once (the package's Flow action and list-view button). */
export function bulkStartRouter(deps: Deps) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/bulk',
      summary: 'Start (or find) the workflows of up to 200 opportunities; optionally queue a draft plan for each',
      description:
        'One result per distinct opportunity, in the order given: `created`, `already_running`, `forbidden` (the user ' +
        'cannot edit it), `not_found`, or `failed` (with the reason). Access is checked with one `UserRecordAccess` query ' +
        'and the opportunities are read with one query, sent together. With `generate: true`, each started execution ' +
        'without a plan gets a queued draft plan (`generation: "queued"`), generated in the background under the ' +
        'generation limits of the user who asked.',
      request: jsonBody(BulkStartBody),
      responses: { 200: json(BulkStartResponse, 'Per-opportunity results and their counts'), ...errorResponses },
    }),
    async (c) => {
      const { opportunityIds, generate } = c.req.valid('json');
      const body = await bulkStartWorkflows(deps, c.get('userId'), [...new Set(opportunityIds)], { generate: generate ?? false });
      return c.json(body, 200);
    },
  );
  return app;
}
