// The product's demo org, as the local Salesforce org emulator (not Salesforce) serves it: the package's custom fields
// (force-app's field metadata) and the demo seed (demo-org.json: four renewals owned by Jordan Lee, their contacts,
// teams, activities and the org's calendar). Tests, the demo and the embedded mode start the emulator through here.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSeed, startOrgEmulator, type OrgEmulator, type OrgEmulatorOptions, type SeedData } from '../org-emulator/index.ts';

export { DEMO_IDS } from './demo-ids.ts';

/** The package's Salesforce DX source: its custom fields are fields of the demo org. */
export const PACKAGE_SOURCE = fileURLToPath(new URL('../../force-app/main/default', import.meta.url));

const DEMO_SEED_URL = new URL('./demo-org.json', import.meta.url);

/** The demo seed, parsed and validated against the org with the package's fields. */
export function loadDemoSeed(): SeedData {
  return parseSeed(JSON.parse(readFileSync(DEMO_SEED_URL, 'utf8')), PACKAGE_SOURCE);
}

/** Starts the emulator as the demo org (the package deployed, the demo seed loaded unless `seed` is given). */
export function startDemoOrg(opts: Partial<OrgEmulatorOptions> = {}): Promise<OrgEmulator> {
  return startOrgEmulator({ ...opts, seed: opts.seed ?? loadDemoSeed(), packageSource: opts.packageSource ?? PACKAGE_SOURCE });
}
