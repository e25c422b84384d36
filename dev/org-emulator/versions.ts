// Local Salesforce org emulator (not Salesforce): the REST API versions the emulated org serves.
// Versions 21.0–30.0 were retired in Summer '25 (REST answers 410 GONE); a version newer than the org's release
// does not exist there yet (404). The list reaches the package's sourceApiVersion (sfdx-project.json).

import { ApiError, notFound } from './errors.ts';

const OLDEST_VERSION = 31;
/** Summer '26: the newest release in Salesforce's documentation version lists ("Summer '26 (API version 67.0)"). */
const LATEST_VERSION = 67;

/** The release a version shipped in: 31.0 is Summer '14, then Winter, Spring and Summer each add one. */
function releaseLabel(version: number): string {
  const k = version - 31;
  const year = 14 + Math.floor(k / 3);
  const [season, labelYear] = [
    ['Summer', year],
    ['Winter', year + 1],
    ['Spring', year + 1],
  ][k % 3] as [string, number];
  return `${season} '${String(labelYear).padStart(2, '0')}`;
}

export const VERSIONS = Array.from({ length: LATEST_VERSION - OLDEST_VERSION + 1 }, (_, i) => {
  const version = `${OLDEST_VERSION + i}.0`;
  return { version, label: releaseLabel(OLDEST_VERSION + i) };
});

/** The version number of a URL segment like `v62.0`, or a 404 like Salesforce's for anything else. */
export function checkApiVersion(segment: string): number {
  const match = /^v(\d{1,3})\.0$/.exec(segment);
  if (!match) throw notFound();
  const version = Number(match[1]);
  if (version < OLDEST_VERSION) {
    throw new ApiError(410, 'GONE', `API version ${version}.0 has been retired. Use version ${OLDEST_VERSION}.0 or later.`);
  }
  if (version > LATEST_VERSION) throw notFound();
  return version;
}
