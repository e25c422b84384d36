/**
 * `npm run assertion -- --user 005...`: prints a fresh signed user assertion for the embedded mode's service, as the
 * package's Apex builds one in Salesforce, for a curl call's X-Salesforce-Assertion header. Signed with the demo key
 * that `npm start` keeps in DATA_DIR; each one is accepted once and for 120 s.
 *
 *   --user 005...        the Salesforce user the call acts for (required)
 *   --audience URL       default SERVICE_AUDIENCE, else the embedded service's http://HOST:PORT
 *   --org 00D...         default SF_ORG_ID, else the local org emulator's org id
 */
import { parseArgs } from 'node:util';
import { storedDemoAssertionKey } from '../service/src/assertion/demo-key.ts';
import { embeddedAudience } from '../service/src/assertion/identity.ts';
import { freshClaims, signUserAssertion } from '../service/src/assertion/sign.ts';
import { clockFor } from '../service/src/clock.ts';
import { loadConfigOrExit } from '../service/src/config.ts';
import { toId18 } from '../service/src/salesforce/ids.ts';
import { salesforceId } from '../dev/org-emulator/index.ts';

const usage = (problem: string): never => {
  console.error(`${problem}\nusage: npm run -s assertion -- --user 005... [--audience URL] [--org 00D...]`);
  process.exit(2);
};
const { values: args } = parseArgs({ options: { user: { type: 'string' }, audience: { type: 'string' }, org: { type: 'string' } } });
const config = loadConfigOrExit();
const { env } = config;
if (config.salesforce.mode !== 'emulator' || env.SALESFORCE_ASSERTION_CERT)
  usage("A real org's assertions are signed in Salesforce, with its certificate: this prints the embedded mode's demo ones only.");
const user = toId18(args.user ?? '');
if (!user?.startsWith('005')) usage('--user must be a Salesforce User id (005...)');
// The org emulator's org id is fixed: the one the embedded service reads from it at start.
const orgId = toId18(args.org ?? env.SF_ORG_ID ?? salesforceId('00D', 1));
if (!orgId) usage('--org must be an org id (00D...)');
const { privateKey } = await storedDemoAssertionKey(env.DATA_DIR, clockFor(env.TODAY).now());
const audience = args.audience ?? env.SERVICE_AUDIENCE ?? embeddedAudience(env);
console.log(await signUserAssertion(privateKey, freshClaims({ orgId: orgId!, user: user!, audience, now: clockFor(env.TODAY).now() })));
