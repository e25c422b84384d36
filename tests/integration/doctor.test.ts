// The doctor's checks (issue 23) on each org shape of dev/org-emulator/shapes/, through the real jsforce client against
// the org emulator (not Salesforce): which lines are ok, degraded or blocking.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadShape } from '../../dev/org-emulator/index.ts';
import { checkOrg, formatOrgCheck } from '../../service/src/salesforce/org-check.ts';
import { startHarness } from '../../testkit/harness.ts';

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
      const lines = await checkOrg({ salesforce: h.deps.salesforce, notificationType: h.deps.env.SF_NOTIFICATION_TYPE });
      const levels = Object.fromEntries(lines.map((l) => [l.name, l.level]));
      // Every check not named degraded is ok, except the assertion certificate, not configured on this branch.
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
      const lines = await checkOrg({ salesforce: h.deps.salesforce, notificationType: h.deps.env.SF_NOTIFICATION_TYPE });
      expect(lines.find((l) => l.name === 'task-statuses')).toMatchObject({
        level: 'blocking',
        detail: expect.stringMatching(/Not Started.*TASK_STATUS_MAP/),
      });
      const bad = await checkOrg({ salesforce: h.deps.salesforce, notificationType: 'X', assertionCert: 'not a pem' });
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
});
