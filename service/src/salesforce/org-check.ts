import { assertionCertificateExpiries } from '../assertion/certificates.ts';
import type { SyncStatus } from '../sync/sync-status.ts';
import type { SalesforceGateway } from './gateway.ts';
import { accessGaps, RECORD_OBJECTS } from './integration-user.ts';
import { describeRenewalCriteria, renewalCondition } from './renewal-criteria.ts';
import { soqlString } from './soql.ts';
import { STANDARD_TASK_STATUSES } from './task-statuses.ts';

/** ok: works as designed; degraded: works, with less (the detail says what); blocking: the service cannot work. */
type CheckLevel = 'ok' | 'degraded' | 'blocking';

interface OrgCheckLine {
  name: string;
  level: CheckLevel;
  detail: string;
}

interface CheckContext {
  salesforce: SalesforceGateway;
  notificationType: string;
  /** Whether RENEWAL_CRITERIA is set (else the criteria are the org's default). */
  renewalCriteriaConfigured?: boolean;
  /** The opportunities with an action-plan execution (the renewals of the fallback criteria), when a database is at hand. */
  executionOpportunityIds?: () => Promise<string[]>;
  /** SALESFORCE_ASSERTION_CERT, when set. */
  assertionCert?: string;
  /** SERVICE_TRUST_HEADER_ONLY=true: no assertion is verified. */
  trustHeaderOnly?: boolean;
  /** A real org, not the local emulator: the service needs the certificate to start. */
  realOrg?: boolean;
  /** The service's clock (deps.now), for the certificate's expiry. */
  now: () => Date;
  /** The running service's sync status; without it (the doctor script), SF_PUBSUB says what is configured. */
  syncStatus?: SyncStatus;
  pubsub?: 'on' | 'off';
}

type Check = (c: CheckContext) => Promise<Omit<OrgCheckLine, 'name'>>;

const ok = (detail: string) => ({ level: 'ok' as const, detail });
const degraded = (detail: string) => ({ level: 'degraded' as const, detail });
const blocking = (detail: string) => ({ level: 'blocking' as const, detail });

type Field = { name: string; type?: string; createable?: boolean; updateable?: boolean; picklistValues?: { value: string }[] };
const describeFields = async (c: CheckContext, type: string) =>
  (await c.salesforce.conn.sobject(type).describe()).fields as unknown as Field[];

/** What the org is: its edition, and the API version the service speaks. */
const apiVersion: Check = async (c) => {
  const [org] = (await c.salesforce.conn.query<{ OrganizationType: string }>('SELECT OrganizationType FROM Organization')).records;
  return ok(`API ${c.salesforce.conn.version} on ${org?.OrganizationType ?? 'an unknown edition'}`);
};

const DEGRADES: Record<string, string> = {
  opportunityTeams: 'team roles fall to the opportunity owner',
  accountTeams: 'account-team roles fall to the opportunity owner',
  enhancedEmail: 'the engagement rules watch only the tracker’s emails, not those sent from Salesforce',
  customNotifications: 'no bell notifications; the service’s own remain',
};

/** The optional features, as learnt at start. */
const features: Check = async (c) => {
  const off = Object.entries(c.salesforce.features).filter(([, on]) => !on);
  if (off.length === 0) return ok('Team Selling, Account Teams, Enhanced Email and custom notifications are on');
  return degraded(off.map(([name]) => `${name} off: ${DEGRADES[name]}`).join('; '));
};

/** The Task Status values the mirror writes exist in the org's picklist. */
const taskStatuses: Check = async (c) => {
  const values = new Set((await describeFields(c, 'Task')).find((f) => f.name === 'Status')?.picklistValues?.map((v) => v.value) ?? []);
  const written = c.salesforce.taskStatuses;
  const missing = Object.values(written).filter((v) => !values.has(v));
  if (missing.length) return blocking(`Task Status has no ${missing.join(', ')}: set TASK_STATUS_MAP to values the org has`);
  const mapped = Object.entries(written).filter(([k, v]) => STANDARD_TASK_STATUSES[k as keyof typeof written] !== v);
  return mapped.length
    ? degraded(`Task Status customised: writes ${mapped.map(([k, v]) => `${k} → ${v}`).join(', ')}`)
    : ok('standard Task Status values');
};

/**
 * Which opportunities are renewals (renewal-criteria.ts), and whether they match at least one open opportunity: the
 * same condition the portfolio uses. A configured field or record type the org lacks is blocking (every portfolio
 * query would fail); the execution fallback is degraded (the book shows only what was started).
 */
const renewalCriteria: Check = async (c) => {
  const criteria = c.salesforce.renewalCriteria;
  const said = describeRenewalCriteria(criteria, c.renewalCriteriaConfigured ?? false);
  const opportunity = await describeFields(c, 'Opportunity');
  if (criteria.kind === 'field') {
    const field = opportunity.find((f) => f.name === criteria.field);
    if (field?.type !== 'boolean') return blocking(`${said}, but Opportunity has no checkbox ${criteria.field}: fix RENEWAL_CRITERIA`);
  }
  if (criteria.kind === 'recordType') {
    const found = await c.salesforce.conn.query(
      `SELECT Id FROM RecordType WHERE SobjectType = 'Opportunity' AND DeveloperName = ${soqlString(criteria.developerName)} LIMIT 1`,
    );
    if (found.totalSize === 0) return blocking(`${said}, but Opportunity has no such record type: fix RENEWAL_CRITERIA`);
  }
  if (criteria.kind === 'type') {
    const values = new Set(opportunity.find((f) => f.name === 'Type')?.picklistValues?.map((v) => v.value) ?? []);
    const missing = criteria.values.filter((v) => !values.has(v));
    if (missing.length === criteria.values.length)
      return degraded(`${said}, but Opportunity Type has none of them: the portfolio shows only old opportunities`);
  }
  const ids = criteria.kind === 'execution' ? await (c.executionOpportunityIds?.() ?? Promise.resolve(undefined)) : [];
  if (ids === undefined) return degraded(`${said}: the book shows only opportunities a workflow was started for`);
  const condition = renewalCondition(criteria, ids);
  const matches = condition
    ? (await c.salesforce.conn.query(`SELECT Id FROM Opportunity WHERE IsClosed = false AND ${condition} LIMIT 1`)).totalSize
    : 0;
  if (criteria.kind === 'execution')
    return degraded(
      `${said}: the book shows only opportunities a workflow was started for (${matches > 0 ? 'some are open' : 'none yet'})`,
    );
  return matches > 0
    ? ok(`${said} — matches open opportunities`)
    : degraded(`${said} — matches no open opportunity: the portfolio is empty`);
};

/**
 * The integration user's access to every field its calls use (integration-user.ts, docs/org-permissions.md), from the
 * record objects' describes: blocking when an essential call (the context, the mirror, the sync) lacks one, degraded
 * when only an AI task or another optional call does.
 */
const permissions: Check = async (c) => {
  const describes = new Map(await Promise.all(RECORD_OBJECTS.map(async (o) => [o, await describeFields(c, o)] as const)));
  const gaps = accessGaps(describes);
  const say = (g: (typeof gaps)[number]) => `${g.need} ${g.field} (${g.call.does})`;
  const essential = gaps.filter((g) => g.call.essential);
  if (essential.length)
    return blocking(
      `the integration user cannot ${essential.map(say).join('; ')}: deploy the package and assign Renewal_Action_Plans_Service`,
    );
  if (gaps.length) return degraded(`the integration user cannot ${gaps.map(say).join('; ')}: assign Renewal_Action_Plans_Service`);
  return ok('the integration user can read and write every field its calls use (docs/org-permissions.md)');
};

/** The Custom Notification Type the bell notifications are sent with. */
const notificationType: Check = async (c) => {
  if (!c.salesforce.features.customNotifications) return degraded('custom notifications are off: the service’s own notifications remain');
  const id = await c.salesforce.notificationType(c.notificationType);
  return id
    ? ok(`Custom Notification Type ${c.notificationType} present`)
    : degraded(`no Custom Notification Type ${c.notificationType}: deploy it`);
};

const DAY_MS = 86_400_000;

/**
 * The certificate the Apex controller signs user assertions with (docs/trust.md): configured, parsable, not expired
 * (degraded within 30 days: renew it in Setup and add the new one beside it), and not the header-only mode.
 */
const assertionCertificate: Check = async (c) => {
  if (c.trustHeaderOnly)
    return degraded('SERVICE_TRUST_HEADER_ONLY=true: the user id header is trusted as sent; set SALESFORCE_ASSERTION_CERT (docs/trust.md)');
  if (c.assertionCert === undefined)
    return c.realOrg
      ? blocking('SALESFORCE_ASSERTION_CERT is not set: the service does not start with a real org; set it (docs/trust.md)')
      : degraded('SALESFORCE_ASSERTION_CERT is not set: the embedded mode’s demo key signs (local emulator only)');
  let expiries: (Date | undefined)[];
  try {
    expiries = assertionCertificateExpiries(c.assertionCert);
  } catch (err) {
    return blocking((err as Error).message);
  }
  const now = c.now().getTime();
  const dated = expiries.filter((d): d is Date => d !== undefined);
  if (dated.length < expiries.length) return ok(`${expiries.length} key(s) configured; a bare public key does not expire`);
  const latest = Math.max(...dated.map((d) => d.getTime()));
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (latest <= now)
    return blocking(`the certificate expired on ${day(latest)}: every signed request is refused; renew it (docs/trust.md)`);
  const days = Math.floor((latest - now) / DAY_MS);
  if (days < 30) return degraded(`the certificate expires on ${day(latest)} (${days} days): renew it and add the new one beside it`);
  const expired = dated.filter((d) => d.getTime() <= now).length;
  if (expired) return degraded(`${expired} of ${dated.length} certificates expired: remove them once Apex signs with the new one`);
  return ok(`configured, valid until ${day(latest)}`);
};

/** How changes made in Salesforce reach the service: the Change Data Capture stream, or the poll alone. */
const syncMode: Check = async (c) => {
  if (c.syncStatus) {
    const { mode, reason } = c.syncStatus.describe();
    if (mode === 'stream') return ok('Change Data Capture stream (the poll only catches up)');
    return degraded(
      `poll mode${reason ? ` (${reason})` : ''}: Salesforce changes arrive at the poll interval (docs/change-data-capture.md)`,
    );
  }
  return c.pubsub === 'off'
    ? degraded('SF_PUBSUB=off: poll mode, Salesforce changes arrive at the poll interval (docs/change-data-capture.md)')
    : ok('SF_PUBSUB=on: the running service streams when Change Data Capture is enabled for Task and Opportunity (its /readyz says)');
};

const CHECKS: Record<string, Check> = {
  'api-version': apiVersion,
  features,
  'task-statuses': taskStatuses,
  'renewal-criteria': renewalCriteria,
  permissions,
  'notification-type': notificationType,
  'assertion-certificate': assertionCertificate,
  'sync-mode': syncMode,
};

/** Runs every check against the org; a check that fails to run is blocking, with the reason. */
export async function checkOrg(c: CheckContext): Promise<OrgCheckLine[]> {
  const lines: OrgCheckLine[] = [];
  for (const [name, check] of Object.entries(CHECKS)) {
    lines.push({ name, ...(await check(c).catch((err: Error) => blocking(`the check failed: ${err.message}`))) });
  }
  return lines;
}

/** `ok       features — …`, one line per check. */
export const formatOrgCheck = (lines: OrgCheckLine[]) => lines.map((l) => `${l.level.padEnd(9)}${l.name.padEnd(22)}${l.detail}`).join('\n');
