import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/src/config.ts';
import { createLogger } from '../../service/src/log.ts';
import { startService, type RunningService } from '../../service/src/server.ts';
import { DEMO_ASSERTION_CERT_FILE, DEMO_ASSERTION_KEY_FILE } from '../../service/src/assertion/demo-key.ts';
import { embeddedAssertion } from '../../testkit/assertions.ts';
import { eventually } from '../../testkit/executor/fixtures.ts';

/**
 * `npm start` on embedded defaults: its own PostgreSQL server under DATA_DIR, the local org emulator, a generated key,
 * over real HTTP. The executor's cron tick is once a year and its sweep hourly, so only a notification can wake it.
 */
describe('embedded mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rap-embedded-'));
  const env = { PORT: '0', DATA_DIR: dataDir, TODAY: '2026-11-25', EXECUTOR_CRON: '0 0 1 1 *', EXECUTOR_SWEEP_SECONDS: '3600' };
  const lines: string[] = [];
  let service: RunningService;
  // Through the embedded mode's stand-in for Apex (/preview-apex), which adds the user assertion signed with the demo
  // key on the server side, as the local preview does.
  const call = async (method: string, path: string, body?: unknown) => {
    const headers = {
      authorization: `Bearer ${service.deps.apiKey}`,
      'x-salesforce-user-id': '0055e0000000001AAA',
      'content-type': 'application/json',
    };
    const res = await fetch(`${service.url}/preview-apex${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    service = await startService(
      loadConfig(env),
      createLogger('info', (l) => lines.push(l)),
    );
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs on a PostgreSQL server of its own, its files and generated password under DATA_DIR', async () => {
    const { db } = service.deps;
    expect(db.kind).toBe('embedded');
    expect(db.embedded!.pgdata).toBe(join(dataDir, 'postgres'));
    const [row] = await db.sql<
      { version: number; port: number }[]
    >`SELECT current_setting('server_version_num')::int AS version, inet_server_port() AS port`;
    expect(row).toEqual({ version: expect.any(Number), port: db.embedded!.port });
    expect(row!.version).toBeGreaterThanOrEqual(180000);
    expect(statSync(join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
    expect(service.generatedApiKey).toBe(true);
    expect(lines.join('\n')).not.toContain(service.deps.apiKey);
  });

  it('makes a demo key pair and certificate in DATA_DIR and verifies the user assertion signed with it', async () => {
    const keyFile = join(dataDir, DEMO_ASSERTION_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const certificate = new X509Certificate(readFileSync(join(dataDir, DEMO_ASSERTION_CERT_FILE)));
    expect(certificate.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))).toBe(true);
    expect(service.deps.userIdentity).toMatchObject({
      mode: 'assertion',
      trust: { audience: service.url, orgId: expect.stringMatching(/^00D/) },
    });
    // The key alone, as the browser had it before: refused, naming what is missing.
    const headers = { authorization: `Bearer ${service.deps.apiKey}`, 'x-salesforce-user-id': '0055e0000000001AAA' };
    const unsigned = await fetch(`${service.url}/api/workflows/tasks`, { headers });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as any).error.message).toMatch(/rejected \(missing\)/);
    const assertion = await embeddedAssertion(service, '0055e0000000001AAA');
    const signed = await fetch(`${service.url}/api/workflows/tasks`, { headers: { ...headers, 'x-salesforce-assertion': assertion } });
    expect(signed.status).toBe(200);
    // The stand-in for Apex signs for the preview's user; what the browser sends as an assertion is not trusted.
    const replaced = await fetch(`${service.url}/preview-apex/api/workflows/tasks`, {
      headers: { ...headers, 'x-salesforce-assertion': 'not.a.jws' },
    });
    expect(replaced.status).toBe(200);
    // An assertion is used once.
    const again = await fetch(`${service.url}/api/workflows/tasks`, { headers: { ...headers, 'x-salesforce-assertion': assertion } });
    expect(((await again.json()) as any).error.message).toMatch(/rejected \(replayed\)/);
    const without = await fetch(`${service.url}/preview-apex/api/workflows/tasks`, {
      headers: { 'x-salesforce-user-id': '0055e0000000001AAA' },
    });
    expect(without.status).toBe(401); // still the service key's check
    expect(lines.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('runs the slice, and the finalize wakes the executor through LISTEN/NOTIFY', async () => {
    const started = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'executor started');
    expect(started).toMatchObject({ wakeUp: 'listen' });

    const opp = service.emulator!.opportunities.find((o) => o.name.startsWith('Acme'))!;
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    const start = await call('POST', '/api/workflows/executions', { opportunityId: opp.id });
    expect(start.status).toBe(201);
    const id = start.body.execution.id;
    expect((await call('POST', `/api/workflows/executions/${id}/action-plan/generate`)).status).toBe(201);
    const fin = await call('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
    expect(fin.status).toBe(200);
    expect(fin.body.plan.aiTasks.length).toBeGreaterThan(0);
    // Only failures are certain here: the executor may already have run (and changed) tasks the mirror copied.
    expect(fin.body.plan.mirror.failed).toBe(0);

    // Neither the tick nor the sweep comes during this test: the tasks run because the finalize's NOTIFY woke it.
    const statuses = await eventually(
      async () => {
        const { body } = await call('GET', `/api/workflows/executions/${id}/action-plan`);
        // (A task waiting for a CSM task stays queued: it is not claimed until that task is done.)
        const ran: string[] = body.plan.aiTasks
          .filter((t: any) => t.included && t.blockedBy.length === 0)
          .map((t: any) => t.executionStatus);
        return ran.every((status) => status === 'success') && ran;
      },
      'the AI tasks to run',
      20_000,
    );
    expect(statuses.length).toBeGreaterThan(0);

    const doc = await (await fetch(`${service.url}/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/workflows/executions', '/api/workflows/tasks/{id}']));
  });

  it('serves a request while another connection holds a transaction open', async () => {
    const { sql } = service.deps.db;
    await sql.begin(async (tx) => {
      const [held] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      // On a single connection this request would wait for the transaction, which waits for the request.
      const res = await call('GET', '/api/workflows/tasks?auto_execute=true');
      expect(res.status).toBe(200);
      const [other] = await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      expect(other!.pid).not.toBe(held!.pid);
    });
  });

  it('refuses a second service on the same DATA_DIR with one clear line, and the first keeps working', async () => {
    const second = startService(loadConfig(env), createLogger('silent'));
    await expect(second).rejects.toThrow(new RegExp(`^DATA_DIR ${dataDir} is in use by another running process \\(pid ${process.pid}, `));
    await expect(second).rejects.toThrow(/^[^\n]+$/);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    expect((await call('GET', '/api/workflows/tasks?auto_execute=true')).status).toBe(200);
  });
});
