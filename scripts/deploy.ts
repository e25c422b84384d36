/**
 * Deploys force-app/ to a Salesforce org with the project's own Salesforce CLI.
 *
 *   npm run deploy -- --target-org my-sandbox            deploy and run the package's Apex tests
 *   npm run deploy -- --target-org my-sandbox --dry-run  validate only, change nothing
 *
 * Any other flag is passed to `sf project deploy start` as is (e.g. --test-level RunLocalTests).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Every Apex test class of the package (`<Class>_Tests`): RunSpecifiedTests needs each class covered by them. */
export const APEX_TESTS = readdirSync(join(ROOT, 'force-app', 'main', 'default', 'classes'))
  .filter((f) => f.endsWith('_Tests.cls'))
  .map((f) => f.slice(0, -'.cls'.length))
  .sort();

export const NO_TARGET_ORG = [
  'No target org given. Say which org to deploy to:',
  '',
  '  npm run deploy -- --target-org <alias or username>',
  '',
  'Log in first if the CLI does not know the org yet:',
  '  npx sf org login web --alias <alias> [--instance-url https://<my-domain>.my.salesforce.com]',
  'or set SF_TARGET_ORG.',
].join('\n');

type DeployPlan = { ok: true; args: string[] } | { ok: false; message: string };

/** The `sf` arguments for a deploy, from this script's arguments and environment. */
export function deployPlan(argv: string[], env: NodeJS.ProcessEnv = process.env): DeployPlan {
  const passthrough: string[] = [];
  let targetOrg = env.SF_TARGET_ORG?.trim() || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const inline = /^(?:--target-org|-o)=(.*)$/.exec(arg);
    if (inline) {
      targetOrg = inline[1];
    } else if (arg === '--target-org' || arg === '-o') {
      targetOrg = argv[++i];
    } else {
      passthrough.push(arg);
    }
  }
  if (!targetOrg || targetOrg.startsWith('-')) return { ok: false, message: NO_TARGET_ORG };

  const testFlags = passthrough.some((arg) => arg.startsWith('--test-level') || arg === '-l')
    ? []
    : ['--test-level', 'RunSpecifiedTests', ...APEX_TESTS.flatMap((name) => ['--tests', name])];
  return {
    ok: true,
    args: [
      'project',
      'deploy',
      'start',
      '--source-dir',
      'force-app',
      '--target-org',
      targetOrg,
      '--wait',
      '30',
      ...testFlags,
      ...passthrough,
    ],
  };
}

function main(): number {
  const plan = deployPlan(process.argv.slice(2));
  if (!plan.ok) {
    console.error(plan.message);
    return 2;
  }
  const sf = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'sf.cmd' : 'sf');
  console.log(`> sf ${plan.args.join(' ')}`);
  const result = spawnSync(sf, plan.args, {
    cwd: ROOT,
    stdio: 'inherit',
    // Without this the CLI starts a background self-update on every run.
    env: { ...process.env, SF_DISABLE_AUTOUPDATE: 'true', SF_AUTOUPDATE_DISABLE: 'true' },
  });
  if (result.error) {
    console.error(`Could not run the Salesforce CLI (${sf}): ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main();
}
