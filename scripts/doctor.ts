/**
 * `npm run doctor`: checks the org the service is configured for — API version and edition, features on/off, the Task
 * Status values the service writes, the renewal criteria, the integration user's permissions, the custom notification
 * type, the assertion certificate — and prints each as ok / degraded (what degrades) / blocking (what to do).
 * Exits 1 only when a check is blocking. Without Salesforce credentials it checks the local org emulator (not
 * Salesforce), optionally loaded with an org shape: `npm run doctor -- --shape dev/org-emulator/shapes/professional.json`.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { clockFor } from '../service/src/clock.ts';
import { loadConfigOrExit } from '../service/src/config.ts';
import { connectSalesforce } from '../service/src/salesforce/connection.ts';
import { SalesforceGateway } from '../service/src/salesforce/gateway.ts';
import { checkOrg, formatOrgCheck } from '../service/src/salesforce/org-check.ts';

const { values } = parseArgs({ options: { shape: { type: 'string' } } });
const config = loadConfigOrExit();
const { env } = config;
let emulator: { url: string; accessToken: string; close(): Promise<void> } | undefined;
if (config.salesforce.mode === 'emulator') {
  const { loadShape } = await import('../dev/org-emulator/index.ts');
  const { startDemoOrg } = await import('../dev/demo-seed/index.ts');
  const accessToken = randomBytes(24).toString('base64url');
  const org = await startDemoOrg({ accessToken, shape: values.shape ? loadShape(values.shape) : undefined });
  emulator = { url: org.url, accessToken, close: () => org.close() };
  console.log(`Checking the local org emulator (not Salesforce)${values.shape ? ` with the shape ${values.shape}` : ''}`);
}
const conn = await connectSalesforce(config.salesforce, emulator, { timeoutMs: env.SF_REQUEST_TIMEOUT_SECONDS * 1000 });
const salesforce = new SalesforceGateway(conn, {
  renewalDateField: env.SF_RENEWAL_DATE_FIELD,
  taskStatuses: env.TASK_STATUS_MAP,
  renewalCriteria: env.RENEWAL_CRITERIA,
});
await salesforce.learnFeatures();
const lines = await checkOrg({
  salesforce,
  notificationType: env.SF_NOTIFICATION_TYPE,
  // Without the service's database, the execution fallback is reported as such (GET /api/admin/org-check counts).
  renewalCriteriaConfigured: env.RENEWAL_CRITERIA !== undefined,
  assertionCert: env.SALESFORCE_ASSERTION_CERT,
  trustHeaderOnly: env.SERVICE_TRUST_HEADER_ONLY,
  realOrg: config.salesforce.mode !== 'emulator',
  now: clockFor(env.TODAY).now,
  pubsub: env.SF_PUBSUB,
});
console.log(formatOrgCheck(lines));
await emulator?.close();
process.exit(lines.some((l) => l.level === 'blocking') ? 1 : 0);
