import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { realOrgConfigured } from '../config.ts';
import { opportunityIdsWithExecutions } from '../read-model/executions.ts';
import type { Deps } from '../deps.ts';
import { forbidden } from '../domain-errors.ts';
import { checkOrg } from '../salesforce/org-check.ts';
import { router } from './openapi-hono.ts';
import { errorResponses, json } from './schemas.ts';

const OrgCheckResponse = z.object({
  checks: z.array(z.object({ name: z.string(), level: z.enum(['ok', 'degraded', 'blocking']), detail: z.string() })),
  blocking: z.boolean(),
});

/** Operations for a Salesforce administrator (a user whose profile has Modify All Data). */
export function adminRouter(deps: Deps) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/org-check',
      summary: "The doctor's checks of the org (npm run doctor): each ok, degraded (what degrades) or blocking (what to do)",
      responses: { 200: json(OrgCheckResponse, 'The checks'), ...errorResponses },
    }),
    async (c) => {
      const userId = c.get('userId');
      if (!(await deps.salesforce.isAdmin(userId))) throw forbidden(`User ${userId} is not a Salesforce administrator (Modify All Data)`);
      const checks = await checkOrg({
        salesforce: deps.salesforce,
        notificationType: deps.env.SF_NOTIFICATION_TYPE,
        renewalCriteriaConfigured: deps.env.RENEWAL_CRITERIA !== undefined,
        executionOpportunityIds: () => opportunityIdsWithExecutions(deps.db.sql),
        assertionCert: deps.env.SALESFORCE_ASSERTION_CERT,
        trustHeaderOnly: deps.env.SERVICE_TRUST_HEADER_ONLY,
        realOrg: realOrgConfigured(deps.env),
        now: deps.now,
        syncStatus: deps.syncStatus,
      });
      return c.json({ checks, blocking: checks.some((l) => l.level === 'blocking') }, 200);
    },
  );
  return app;
}
