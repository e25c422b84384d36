import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrgEmulator } from '../../dev/org-emulator/index.ts';
import { DEMO_IDS, startDemoOrg } from '../../dev/demo-seed/index.ts';
import { clockFrom, middayOf } from '../../service/src/clock.ts';
import { signAssertion, TEST_AUDIENCE, testAssertionKeys } from '../../testkit/assertions.ts';
import { freshDatabase } from '../../testkit/database.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const KEY = 'compiled-build-service-key-0123456789abcdef';
const CSM = '0055e0000000001AAA'; // Jordan Lee, the demo CSM

/**
 * What production runs: `npm run build` (tsc with tsconfig.build.json, then the run-time files copied beside the code)
 * into a folder of its own, then plain `node` on the output, with no TypeScript loader: the service against a real
 * PostgreSQL server and the org emulator (not Salesforce) as a remote org, and the standalone executor.
 */
describe('the compiled build', () => {
  let out: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let org: OrgEmulator;
  let server: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  /** The files of the build (before the packages are linked beside it). */
  let built: string[] = [];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'rap-build-'));
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], { cwd: root, timeout: 150_000 });
    await run(process.execPath, [join(out, 'scripts', 'copy-build-assets.js')], { cwd: root });
    built = readdirSync(out, { recursive: true, encoding: 'utf8' });
    // The packages beside the build, as in the image (/app/node_modules next to /app/dist).
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
    db = await freshDatabase({ migrate: false });
    org = await startDemoOrg({ accessToken: 'compiled-token', today: new Date('2026-11-25T12:00:00Z') });
    // Only what the service reads: no NODE_OPTIONS, so no loader the test runner may have set reaches the children.
    env = {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.url,
      SF_INSTANCE_URL: org.url,
      SF_ACCESS_TOKEN: 'compiled-token',
      SERVICE_API_KEY: KEY,
      SALESFORCE_ASSERTION_CERT: testAssertionKeys().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      SERVICE_AUDIENCE: TEST_AUDIENCE,
      TODAY: '2026-11-25',
      EXECUTOR_ENABLED: 'false',
      LOG_LEVEL: 'info',
    };
  }, 180_000);
  afterAll(async () => {
    server?.kill('SIGKILL');
    await org?.close();
    await db?.drop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('emits JavaScript that imports JavaScript, with the run-time files beside it', () => {
    const files = built.filter((f) => f.endsWith('.js'));
    expect(files).toContain(join('scripts', 'start.js'));
    expect(files).toContain(join('scripts', 'executor.js'));
    const imports = files.flatMap((f) =>
      ts.preProcessFile(readFileSync(join(out, f), 'utf8'), true, true).importedFiles.map(({ fileName }) => ({ file: f, spec: fileName })),
    );
    expect(imports.filter(({ spec }) => spec.startsWith('.') && !spec.endsWith('.js'))).toEqual([]);
    // What the image installs (npm ci --omit=dev) is all the build imports; the preview's compiler is loaded only
    // when the sources run (npm start), never from the build.
    // The org emulator is a workspace: its own dependencies are installed with the product's (the lock file has them as such).
    const dependenciesOf = (dir: string) =>
      (JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    const dependencies = { ...dependenciesOf('.'), ...dependenciesOf('dev/org-emulator') };
    const packageOf = (spec: string) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    const devOnly = imports.filter(
      ({ file, spec }) => !/^(\.|node:)/.test(spec) && !(packageOf(spec) in dependencies) && file !== join('scripts', 'build-preview.js'),
    );
    expect(devOnly).toEqual([]);
    const assets = built.filter((f) => /\.(json|sql|xml)$/.test(f) && !f.startsWith('preview'));
    expect(assets).toEqual(
      expect.arrayContaining([
        join('config', 'stages.json'),
        join('config', 'workflows.json'),
        join('config', 'team-roles.json'),
        join('config', 'engagement-rules.json'),
        join('dev', 'demo-seed', 'demo-org.json'),
        join('force-app', 'main', 'default', 'objects', 'Opportunity', 'fields', 'Current_ARR__c.field-meta.xml'),
      ]),
    );
    expect(assets.filter((f) => f.endsWith('.sql')).length).toBe(readdirSync(join(root, 'service/src/db/migrations')).length);
  });

  it('serves health and an authenticated plan from `node dist/scripts/start.js`, and the executor runs its tasks', async () => {
    // The service's clock: TODAY at midday, running on from its start (assertions are checked against it).
    const clock = clockFrom(middayOf('2026-11-25'));
    const orgId = String(org.records('Organization')[0]!.Id);
    server = spawn(process.execPath, [join(out, 'scripts', 'start.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stderr!.on('data', (chunk) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      server!.stdout!.on('data', (chunk) => {
        output += chunk;
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) resolve(m[1]!);
      });
      server!.once('exit', (code) => reject(new Error(`the compiled service exited (${code}):\n${output}`)));
    });
    const call = async (method: string, path: string, body?: unknown, key: string | null = KEY) => {
      const headers: Record<string, string> = {
        'x-salesforce-user-id': CSM,
        'x-salesforce-assertion': await signAssertion({ user: CSM, orgId, now: clock.now() }),
        'content-type': 'application/json',
      };
      if (key) headers.authorization = `Bearer ${key}`;
      const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };
    expect((await call('GET', '/healthz', undefined, null)).status).toBe(200);
    expect((await call('GET', '/readyz', undefined, null)).status).toBe(200);
    expect((await call('GET', '/api/workflows/tasks', undefined, null)).status).toBe(401);
    // The API docs page and the Swagger UI files it loads, from the installed swagger-ui-dist package.
    for (const path of ['/docs', '/docs/init.js', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css'])
      expect((await call('GET', path, undefined, null)).status, path).toBe(200);
    const start = await call('POST', '/api/workflows/executions', { opportunityId: DEMO_IDS.opportunities.acme });
    expect(start.status).toBe(201);
    expect(start.body.execution).toMatchObject({ stage: 'Discovery', workflowName: 'Discovery Renewal' });
    const id = start.body.execution.id;
    expect((await call('POST', `/api/workflows/executions/${id}/action-plan/generate`)).status).toBe(201);
    const finalized = await call('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
    expect(finalized.body.plan.status).toBe('finalized');
    const aiTaskIds: string[] = finalized.body.plan.aiTasks.map((t: { taskId: string }) => t.taskId);
    expect(aiTaskIds.length).toBeGreaterThan(0);
    // The AI tasks that wait for CSM tasks (issue 15's dependencies) run once those are done: complete them through the
    // compiled service, which unblocks what waited for them.
    type PlanTask = { taskId: string; key: string; dependsOn?: string[] };
    const prerequisites = new Set(finalized.body.plan.aiTasks.flatMap((t: PlanTask) => t.dependsOn ?? []));
    for (const t of finalized.body.plan.csmTasks.filter((c: PlanTask) => prerequisites.has(c.key)) as PlanTask[])
      expect((await call('PATCH', `/api/workflows/tasks/${t.taskId}`, { status: 'completed' })).status).toBe(200);

    const executor = await run(process.execPath, [join(out, 'scripts', 'executor.js'), '--once'], { cwd: root, env, timeout: 60_000 });
    const logLines = executor.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logLines.find((l) => l.msg === 'executor --once finished')).toMatchObject({ claimed: aiTaskIds.length });
    const rows = await db.sql<{ execution_status: string }[]>`SELECT execution_status FROM workflow_tasks WHERE id IN ${db.sql(aiTaskIds)}`;
    expect(rows.map((r) => r.execution_status)).toEqual(aiTaskIds.map(() => 'success'));

    const exited = new Promise<number | null>((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
  });
});
