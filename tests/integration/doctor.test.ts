// The doctor's checks (issue 23) on each org shape of dev/org-emulator/shapes/, through the real jsforce client against
// the org emulator (not Salesforce): which lines are ok, degraded or blocking.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadShape } from '../../dev/org-emulator/index.ts';
import { generate } from 'selfsigned';
import { checkOrg, formatOrgCheck } from '../../service/src/salesforce/org-check.ts';
import { SyncStatus } from '../../service/src/sync/sync-status.ts';
import { startHarness } from '../../testkit/harness.ts';

const DAY_MS = 86_400_000;
const shapeFile = (name: string) => fileURLToPath(new URL(`../../dev/org-emulator/shapes/${name}.json`, import.meta.url));

const EXPECTED: Record<string, Record<string, string>> = {
  demo: {},
  'enterprise-no-teams': { features: 'degraded', 'task-statuses': 'degraded' },
  professional: { features: 'degraded', 'notification-type': 'degraded' },
  german: { 'renewal-criteria': 'degraded' },
};

describe('the doctor on every org shape', () => {
  it.each(Object.keys(EXPECTED))('%s', { timeout: 60_000 }, async (name) => {
    const h = await startHarness({ shape: loadShape(shapeFile(name)) });
    try {
      const lines = await checkOrg({ salesforce: h.deps.salesforce, notificationType: h.deps.env.SF_NOTIFICATION_TYPE, now: h.deps.now });
      const levels = Object.fromEntries(lines.map((l) => [l.name, l.level]));
      // Every check not named degraded is ok, except the assertion certificate, not configured here (the emulator's demo key).
      const expected = Object.fromEntries(
        lines.map((l) => [l.name, EXPECTED[name]![l.name] ?? (l.name === 'assertion-certificate' ? 'degraded' : 'ok')]),
      );
      expect(levels, formatOrgCheck(lines)).toEqual(expected);
      expect(lines.map((l) => l.name)).toEqual([
        'api-version',
        'features',
        'task-statuses',
        'renewal-criteria',
        'permissions',
        'notification-type',
        'assertion-certificate',
        'sync-mode',
      ]);
    } finally {
      await h.close();
    }
  });

  it('is blocking when a Task Status the service writes is not in the org picklist, or the certificate is not PEM', async () => {
    const h = await startHarness({
      shape: loadShape(shapeFile('enterprise-no-teams')),
      env: { TASK_STATUS_MAP: '{"pending":"Not Started"}' },
    });
    try {
      await h.deps.salesforce.learnFeatures();
      const lines = await checkOrg({ salesforce: h.deps.salesforce, notificationType: h.deps.env.SF_NOTIFICATION_TYPE, now: h.deps.now });
      expect(lines.find((l) => l.name === 'task-statuses')).toMatchObject({
        level: 'blocking',
        detail: expect.stringMatching(/Not Started.*TASK_STATUS_MAP/),
      });
      const bad = await checkOrg({ salesforce: h.deps.salesforce, notificationType: 'X', assertionCert: 'not a pem', now: h.deps.now });
      expect(bad.find((l) => l.name === 'assertion-certificate')!.level).toBe('blocking');
    } finally {
      await h.close();
    }
  });

  it('GET /api/admin/org-check answers an administrator with the checks, and refuses anyone else (403)', { timeout: 60_000 }, async () => {
    const h = await startHarness({ shape: loadShape(shapeFile('professional')) });
    try {
      const refused = await h.api('GET', '/api/admin/org-check');
      expect(refused.status).toBe(403);
      const res = await h.api('GET', '/api/admin/org-check', undefined, { user: h.users['Alex Admin'] });
      expect(res.status).toBe(200);
      expect(res.body.blocking).toBe(false);
      expect(res.body.checks.find((l: { name: string }) => l.name === 'notification-type').level).toBe('degraded');
    } finally {
      await h.close();
    }
  });

  it('checks the assertion certificate (configured, parsable, expiry, mode) and says the sync mode', { timeout: 60_000 }, async () => {
    const h = await startHarness();
    try {
      const now = h.deps.now();
      const certificate = async (fromDays: number, toDays: number) =>
        (
          await generate([{ name: 'commonName', value: 'doctor test' }], {
            keySize: 2048,
            algorithm: 'sha256',
            notBeforeDate: new Date(now.getTime() + fromDays * DAY_MS),
            notAfterDate: new Date(now.getTime() + toDays * DAY_MS),
          })
        ).cert;
      const line = async (c: Partial<Parameters<typeof checkOrg>[0]>, name = 'assertion-certificate') =>
        (await checkOrg({ salesforce: h.deps.salesforce, notificationType: h.deps.env.SF_NOTIFICATION_TYPE, now: h.deps.now, ...c })).find(
          (l) => l.name === name,
        )!;
      const valid = await certificate(-1, 365);
      expect(await line({ assertionCert: valid })).toMatchObject({
        level: 'ok',
        detail: expect.stringMatching(/^configured, valid until/),
      });
      expect(await line({ assertionCert: await certificate(-300, 10.5) })).toMatchObject({
        level: 'degraded',
        detail: expect.stringMatching(/expires on .* \(10 days\): renew it/),
      });
      const expired = await certificate(-300, -1);
      expect(await line({ assertionCert: expired })).toMatchObject({ level: 'blocking', detail: expect.stringMatching(/expired on/) });
      // A rotation: the new certificate beside the expired one works; the old one should go.
      expect(await line({ assertionCert: `${expired}\n${valid}` })).toMatchObject({
        level: 'degraded',
        detail: expect.stringMatching(/1 of 2 certificates expired/),
      });
      expect(await line({ assertionCert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' })).toMatchObject({
        level: 'blocking',
        detail: expect.stringMatching(/block 1 is not a valid certificate/),
      });
      expect(await line({ realOrg: true })).toMatchObject({ level: 'blocking', detail: expect.stringMatching(/not set/) });
      expect(await line({ trustHeaderOnly: true, assertionCert: valid })).toMatchObject({
        level: 'degraded',
        detail: expect.stringMatching(/SERVICE_TRUST_HEADER_ONLY/),
      });

      const streaming = new SyncStatus();
      streaming.disabled = undefined;
      streaming.channels.set('/data/TaskChangeEvent', { state: 'streaming' });
      expect(await line({ syncStatus: streaming }, 'sync-mode')).toMatchObject({ level: 'ok', detail: expect.stringMatching(/stream/) });
      streaming.channels.set('/data/OpportunityChangeEvent', { state: 'down', error: 'not enabled' });
      expect(await line({ syncStatus: streaming }, 'sync-mode')).toMatchObject({
        level: 'degraded',
        detail: expect.stringMatching(/^poll mode/),
      });
      expect(await line({ pubsub: 'off' }, 'sync-mode')).toMatchObject({
        level: 'degraded',
        detail: expect.stringMatching(/SF_PUBSUB=off/),
      });
    } finally {
      await h.close();
    }
  });
});
