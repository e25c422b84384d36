import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { APEX_TESTS, NO_TARGET_ORG, deployPlan } from '../../scripts/deploy.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run deploy', () => {
  it('runs every Apex test class of the package', () => {
    expect(APEX_TESTS).toEqual(expect.arrayContaining(['RenewalActionPlanController_Tests', 'RenewalActionPlanStart_Tests']));
    expect(APEX_TESTS.every((name) => name.endsWith('_Tests'))).toBe(true);
  });

  it('deploys force-app to the given org and runs the package tests', () => {
    expect(deployPlan(['--target-org', 'acme-uat'], {})).toEqual({
      ok: true,
      args: [
        'project',
        'deploy',
        'start',
        '--source-dir',
        'force-app',
        '--target-org',
        'acme-uat',
        '--wait',
        '30',
        '--test-level',
        'RunSpecifiedTests',
        ...APEX_TESTS.flatMap((name) => ['--tests', name]),
      ],
    });
  });

  it('passes --dry-run and other flags through, and accepts -o and --target-org=', () => {
    const plan = deployPlan(['-o=acme-uat', '--dry-run', '--test-level', 'RunLocalTests'], {});
    expect(plan).toMatchObject({ ok: true });
    const args = plan.ok ? plan.args : [];
    expect(args).toContain('--dry-run');
    expect(args.slice(args.indexOf('--target-org'), args.indexOf('--target-org') + 2)).toEqual(['--target-org', 'acme-uat']);
    expect(args.filter((arg) => arg === '--test-level')).toHaveLength(1);
    expect(args).not.toContain('RunSpecifiedTests');
  });

  it('takes the org from SF_TARGET_ORG when no flag is given', () => {
    expect(deployPlan([], { SF_TARGET_ORG: 'acme-prod' })).toMatchObject({ ok: true, args: expect.arrayContaining(['acme-prod']) });
  });

  it('refuses to guess when no target org is given', () => {
    expect(deployPlan(['--dry-run'], {})).toEqual({ ok: false, message: NO_TARGET_ORG });
    expect(deployPlan(['--target-org'], {})).toMatchObject({ ok: false });
    expect(deployPlan(['--target-org', '--dry-run'], {})).toMatchObject({ ok: false });
  });

  it('prints how to name the org and exits non-zero when run without one', async () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const env = { ...process.env, SF_TARGET_ORG: '' };
    const run = promisify(execFile)(tsx, ['scripts/deploy.ts', '--dry-run'], { cwd: ROOT, env });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('npm run deploy -- --target-org <alias or username>'),
    });
  });
});
