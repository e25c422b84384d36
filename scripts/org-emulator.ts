// Starts the local Salesforce org emulator (not Salesforce) with the demo seed, for the demo and offline work.
// Usage: npm run org-emulator -- --port 4400 [--pubsub-port 4401]   (or PORT=4400; default 4400; the Pub/Sub API only
// when --pubsub-port is given)
//        npm run org-emulator -- --shape dev/org-emulator/shapes/enterprise-no-teams.json   (an org shape; see its README)

import { parseArgs } from 'node:util';
import { loadShape, type OrgShape } from '../dev/org-emulator/index.ts';
import { loadDemoSeed, startDemoOrg } from '../dev/demo-seed/index.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'pubsub-port': { type: 'string' }, shape: { type: 'string' } } });
const port = Number(values.port ?? process.env.PORT ?? 4400);
const pubsubPort = values['pubsub-port'] === undefined ? undefined : Number(values['pubsub-port']);
for (const [name, value] of [
  ['port', port],
  ['pubsub port', pubsubPort ?? 0],
] as const) {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`Invalid ${name}: ${name === 'port' ? (values.port ?? process.env.PORT) : values['pubsub-port']}`);
    process.exit(2);
  }
}

let shape: OrgShape | undefined;
try {
  shape = values.shape ? loadShape(values.shape) : undefined;
} catch (err) {
  console.error(`Invalid org shape ${values.shape}: ${(err as Error).message}`);
  process.exit(2);
}

const emulator = await startDemoOrg({ port, pubsubPort, shape });
console.log(`Local Salesforce org emulator (not Salesforce) listening on ${emulator.url}`);
if (shape) console.log(`Org shape: ${shape.name}${shape.description ? ` — ${shape.description}` : ''}`);
console.log('Use it as both the login URL and the instance URL; any non-empty bearer token is accepted.');
if (emulator.pubsubAddress) {
  console.log(
    `Pub/Sub API (gRPC, plaintext): ${emulator.pubsubAddress}; tenantid ${emulator.orgId}; change events of Task and Opportunity`,
  );
}
console.log('Demo renewal opportunities:');
for (const opportunity of loadDemoSeed().Opportunity ?? []) {
  console.log(`  ${opportunity.Id}  ${opportunity.Name}`);
}
console.log(`Test controls: POST ${emulator.url}/__emulator/faults, POST /__emulator/latency, GET /__emulator/requests`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`Local Salesforce org emulator stopping (${signal})`);
  await emulator.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
