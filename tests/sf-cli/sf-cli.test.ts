// The Salesforce CLI, a standard Salesforce client, logs in to the local org emulator with an access token and
// queries the demo opportunities, as it would against an org. HOME is a scratch folder, so the CLI reads and writes
// nothing of the machine's own configuration; update checks and telemetry are off, so nothing leaves the machine.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrgEmulator } from '../../dev/org-emulator/index.ts';
import { startDemoOrg } from '../../dev/demo-seed/index.ts';

const run = promisify(execFile);
const SF = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'sf');
const ACCESS_TOKEN = '00D5e0000000001!emulator-test-token';

let org: OrgEmulator;
let home: string;

/** Runs `sf` with --json and returns its parsed answer (the CLI exits non-zero on failure; the JSON says why). */
async function sf(...args: string[]): Promise<{ status: number; result?: any; message?: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    SF_ACCESS_TOKEN: ACCESS_TOKEN,
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
  };
  const answer = await run(SF, [...args, '--json'], { env, cwd: home, timeout: 90_000 }).catch((err: { stdout?: string }) => err);
  return JSON.parse(answer.stdout ?? '{}');
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rap-sf-cli-'));
  org = await startDemoOrg({ accessToken: ACCESS_TOKEN, today: new Date('2026-11-25T10:00:00Z') });
});
afterAll(async () => {
  await org?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the Salesforce CLI against the org emulator', () => {
  it('logs in with an access token, then queries the demo opportunities', { timeout: 180_000 }, async () => {
    const login = await sf('org', 'login', 'access-token', '--instance-url', org.url, '--no-prompt', '--alias', 'emulator');
    // On failure, say what the CLI asked of the emulator and what it answered.
    const calls = () => org.requests.map((r) => `${r.method} ${r.path} ${r.status}${r.soql ? ` ${r.soql}` : ''}`).join('\n');
    expect(login, calls()).toMatchObject({
      status: 0,
      result: { username: 'alex.admin@rap-demo.example', orgId: '00D5e0000000001EAA' },
    });

    const query = await sf('data', 'query', '--target-org', 'emulator', '--query', 'SELECT Name, StageName FROM Opportunity ORDER BY Name');
    expect(query, `${query.message}\n${calls()}`).toMatchObject({ status: 0 });
    expect(query.result.records.map((r: { Name: string }) => r.Name)).toEqual([
      'Acme Logistics — FY27 Renewal',
      'Globex Manufacturing — FY27 Renewal',
      'Initech Software — FY27 Renewal',
      'Northwind Health — FY27 Renewal',
    ]);
  });
});
