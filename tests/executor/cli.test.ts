import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../testkit/database.ts';
import { type OrgEmulator } from '../../dev/org-emulator/index.ts';
import { DEMO_IDS, startDemoOrg } from '../../dev/demo-seed/index.ts';
import { insertAiTasks, seedPlan, statusOf } from '../../testkit/executor/fixtures.ts';
import { TEST_AUDIENCE, testAssertionKeys } from '../../testkit/assertions.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

/** The operator's commands, run as processes against a real database (and the org emulator, not Salesforce). */
describe('executor and tasks CLI', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let org: OrgEmulator;
  let env: Record<string, string>;
  let plan: { executionId: string; planId: string };
  const cli = (script: string, args: string[]) =>
    run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }).then(
      (r) => ({ ...r, code: 0 }),
      (e) => e as { stdout: string; stderr: string; code: number },
    );

  beforeAll(async () => {
    db = await freshDatabase();
    org = await startDemoOrg({ accessToken: 'cli-token', today: new Date('2026-11-25T12:00:00Z') });
    env = {
      DATABASE_URL: db.url,
      SF_INSTANCE_URL: org.url,
      SF_ACCESS_TOKEN: 'cli-token',
      SERVICE_API_KEY: 'cli-service-api-key-0123456789abcdef',
      // The same environment as the service's: the certificate of the signed user assertion comes with a real org.
      SALESFORCE_ASSERTION_CERT: testAssertionKeys().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      SERVICE_AUDIENCE: TEST_AUDIENCE,
      TODAY: '2026-11-25',
      LOG_LEVEL: 'info',
    };
    plan = await seedPlan(db.sql);
  });
  afterAll(async () => {
    await org?.close();
    await db?.drop();
  });

  it('npm run executor -- --once runs one batch against Salesforce and exits', async () => {
    const [id] = await insertAiTasks(db.sql, plan, [
      { processor: 'crm-opportunity-updater', metadata: { fields: { NextStep: 'Run by cron', Description: null, Probability: null } } },
    ]);
    const out = await cli('scripts/executor.ts', ['--once']);
    const lines = out.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'executor --once finished')).toMatchObject({ success: 1 });
    expect((await statusOf(db.sql, id!)).executionStatus).toBe('success');
    expect(org.records('Opportunity').find((o) => o.Id === DEMO_IDS.opportunities.acme)!.NextStep).toBe('Run by cron');
  });

  it('says (none) when no task has an error', async () => {
    expect((await cli('scripts/tasks-cli.ts', ['errors'])).stdout.trim().split('\n').at(-1)).toBe('(none)');
  });

  it('lists, shows errors, retries and cancels tasks', async () => {
    const [failed, queued] = await insertAiTasks(db.sql, plan, [{ processor: 'workflow-scheduler' }, { processor: 'workflow-scheduler' }]);
    await db.sql`UPDATE workflow_tasks SET execution_status = 'failed', attempts = 3, last_error = 'Salesforce SERVER_UNAVAILABLE: down', execution_result = '{"error":"down"}' WHERE id = ${failed!}`;
    const list = await cli('scripts/tasks-cli.ts', ['list', 'failed']);
    expect(list.stdout).toContain(failed);
    expect(list.stdout).not.toContain(queued);
    expect((await cli('scripts/tasks-cli.ts', ['errors'])).stdout).toMatch(new RegExp(`${failed}.*SERVER_UNAVAILABLE: down`));
    expect(JSON.parse((await cli('scripts/tasks-cli.ts', ['depth'])).stdout)).toMatchObject({ failed: 1, queued: 1, success: 1 });
    expect((await cli('scripts/tasks-cli.ts', ['retry', failed!])).stdout).toContain(`queued ${failed}`);
    expect(await statusOf(db.sql, failed!)).toMatchObject({ executionStatus: 'queued', attempts: 0 });
    expect((await cli('scripts/tasks-cli.ts', ['cancel', queued!, 'Customer', 'asked', 'us', 'to', 'wait'])).stdout).toContain(
      `cancelled ${queued}`,
    );
    expect(await statusOf(db.sql, queued!)).toMatchObject({
      status: 'cancelled',
      executionStatus: 'failed',
      executionResult: { error: 'Customer asked us to wait', cancelled: true },
    });
    const again = await cli('scripts/tasks-cli.ts', ['cancel', queued!]);
    expect(again.code).toBe(1);
  });

  it('lists tasks waiting to reach Salesforce, with the command that retries one now', async () => {
    const [waiting] = await db.sql<{ id: string }[]>`
      INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, assignee_user_id)
      VALUES (${plan.planId}, ${plan.executionId}, ${DEMO_IDS.opportunities.acme}, 'csm-mirror-waiting', 'CSM', 'Call the CFO', '0055e0000000001AAA') RETURNING id`;
    await db.sql`UPDATE workflow_tasks SET mirror_attempts = 14, mirror_error = 'ERROR_HTTP_503: maintenance', mirror_retry_at = now() + interval '50 minutes',
                 mirror_pending_since = now() - interval '3 hours' WHERE id = ${waiting!.id}`;
    const out = await cli('scripts/tasks-cli.ts', ['mirrors']);
    expect(out.stdout).toMatch(new RegExp(`${waiting!.id}.*waiting.*180.*14.*ERROR_HTTP_503: maintenance`));
    expect(out.stdout).toContain(`npm run tasks -- mirror-retry ${waiting!.id}`);
    expect((await cli('scripts/tasks-cli.ts', ['mirror-retry', waiting!.id])).stdout).toMatch(
      /will be copied to Salesforce at the next sync run/,
    );
    const [row] = await db.sql`SELECT mirror_retry_at, mirror_attempts, mirror_status FROM workflow_tasks WHERE id = ${waiting!.id}`;
    expect(row).toMatchObject({ mirror_retry_at: null, mirror_attempts: 0, mirror_status: 'pending' });
    expect((await cli('scripts/tasks-cli.ts', ['mirror-retry', '00000000-0000-4000-8000-000000000000'])).code).toBe(1);
  });

  it('takes --limit before or after the command, and refuses an unknown option in one line', async () => {
    const [first, second] = await insertAiTasks(db.sql, plan, [{ processor: 'workflow-scheduler' }, { processor: 'workflow-scheduler' }]);
    const listed = (stdout: string) => [first, second].filter((id) => stdout.includes(id!)).length;
    expect(listed((await cli('scripts/tasks-cli.ts', ['list', 'queued'])).stdout)).toBe(2);
    expect(listed((await cli('scripts/tasks-cli.ts', ['list', 'queued', '--limit', '1'])).stdout)).toBe(1);
    expect(listed((await cli('scripts/tasks-cli.ts', ['--limit=1', 'list', 'queued'])).stdout)).toBe(1);
    for (const args of [
      ['list', '--bogus'],
      ['errors', '--limit'],
    ]) {
      const refused = await cli('scripts/tasks-cli.ts', args);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^npm run tasks: (Unknown option '--bogus'|Option '--limit <value>' argument missing)/),
      ]);
    }
  });
});
