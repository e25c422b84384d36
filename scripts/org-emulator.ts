// Starts the local Salesforce org emulator (not Salesforce) with the demo seed, for the demo and offline work.
// Usage: npm run org-emulator -- --port 4400   (or PORT=4400; default 4400)
//        npm run org-emulator -- --shape dev/org-emulator/shapes/enterprise-no-teams.json   (an org shape; see its README)

import { parseArgs } from 'node:util';
import { loadDemoSeed, loadShape, startOrgEmulator, type OrgShape } from '../dev/org-emulator/index.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, shape: { type: 'string' } } });
const port = Number(values.port ?? process.env.PORT ?? 4400);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid port: ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

let shape: OrgShape | undefined;
try {
  shape = values.shape ? loadShape(values.shape) : undefined;
} catch (err) {
  console.error(`Invalid org shape ${values.shape}: ${(err as Error).message}`);
  process.exit(2);
}

const emulator = await startOrgEmulator({ port, shape });
console.log(`Local Salesforce org emulator (not Salesforce) listening on ${emulator.url}`);
if (shape) console.log(`Org shape: ${shape.name}${shape.description ? ` — ${shape.description}` : ''}`);
console.log('Use it as both the login URL and the instance URL; any non-empty bearer token is accepted.');
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
