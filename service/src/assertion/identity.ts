import type { Connection } from 'jsforce';
import type { UserIdentity } from '../auth.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { toId18 } from '../salesforce/ids.ts';
import { loadAssertionKeys } from './certificates.ts';
import { storedDemoAssertionKey, type DemoAssertionKey } from './demo-key.ts';

/** The audience of the embedded mode when SERVICE_AUDIENCE is unset: the URL it listens on (set again once known). */
export function embeddedAudience(env: Config['env']): string {
  return `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
}

/**
 * How this service learns a request's user, from the configuration (docs/trust.md):
 * - SERVICE_TRUST_HEADER_ONLY=true: the header as sent; development only, so it says so at every start;
 * - SALESFORCE_ASSERTION_CERT: assertions signed by that certificate (several for a rotation), for SERVICE_AUDIENCE
 *   and the org SF_ORG_ID (read from the org when unset);
 * - neither, in the embedded mode (the configuration refuses it with a real org): assertions signed by the demo key
 *   kept in DATA_DIR, which the local preview's stand-in for Apex signs with (`demoKey`).
 */
export async function userIdentityFor(
  config: Config,
  conn: Connection,
  log: Logger,
  now: Date,
): Promise<{ identity: UserIdentity; demoKey?: DemoAssertionKey }> {
  const { env } = config;
  if (env.SERVICE_TRUST_HEADER_ONLY) {
    log.warn(
      'SERVICE_TRUST_HEADER_ONLY=true: X-Salesforce-User-Id is trusted as sent, so anyone with the service key can act as any user. For development only; set SALESFORCE_ASSERTION_CERT (docs/trust.md)',
    );
    return { identity: { mode: 'header-only' } };
  }
  const orgId = env.SF_ORG_ID ? toId18(env.SF_ORG_ID) : await orgIdOf(conn);
  if (!orgId) throw new Error('SF_ORG_ID: has an invalid 18-character checksum (give the 15-character id, or the one Setup shows)');
  if (env.SALESFORCE_ASSERTION_CERT) {
    const keys = loadAssertionKeys(env.SALESFORCE_ASSERTION_CERT);
    log.info('user assertions verified', { certificates: keys.length, orgId, audience: env.SERVICE_AUDIENCE });
    return { identity: { mode: 'assertion', trust: { keys, orgId, audience: env.SERVICE_AUDIENCE! } } };
  }
  if (config.salesforce.mode !== 'emulator') throw new Error('SALESFORCE_ASSERTION_CERT is required with a real Salesforce org');
  const demoKey = await storedDemoAssertionKey(env.DATA_DIR, now);
  const keys = loadAssertionKeys(demoKey.certificate);
  return { identity: { mode: 'assertion', trust: { keys, orgId, audience: env.SERVICE_AUDIENCE ?? embeddedAudience(env) } }, demoKey };
}

/** The org id, from the org itself (one query at start). */
async function orgIdOf(conn: Connection): Promise<string> {
  const result = await conn.query<{ Id: string }>('SELECT Id FROM Organization LIMIT 1');
  const id = result.records[0]?.Id;
  if (!id || !toId18(id)) throw new Error('The org id could not be read from Salesforce (SELECT Id FROM Organization): set SF_ORG_ID');
  return toId18(id)!;
}
