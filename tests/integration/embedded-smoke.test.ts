import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/src/config.ts';
import { createLogger } from '../../service/src/log.ts';
import { startService, type RunningService } from '../../service/src/server.ts';

/** `npm start` on embedded defaults: PGlite, the local org emulator, a generated key, over real HTTP. */
describe('embedded mode smoke test', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rap-embedded-'));
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the slice on embedded PGlite and the org emulator', async () => {
    const lines: string[] = [];
    service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, TODAY: '2026-11-25' }), createLogger('info', (l) => lines.push(l)));
    expect(service.deps.db.kind).toBe('embedded');
    expect(service.generatedApiKey).toBe(true);
    expect(service.emulator!.opportunities.length).toBeGreaterThanOrEqual(3);
    expect(lines.join('\n')).not.toContain(service.deps.apiKey);

    const opp = service.emulator!.opportunities.find((o) => o.name.startsWith('Acme'))!;
    const headers = { authorization: `Bearer ${service.deps.apiKey}`, 'x-salesforce-user-id': '0055e0000000001AAA', 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${service!.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    const start = await call('POST', '/api/workflows/executions', { opportunityId: opp.id });
    expect(start.status).toBe(201);
    const id = start.body.execution.id;
    expect((await call('POST', `/api/workflows/executions/${id}/action-plan/generate`)).status).toBe(201);
    const fin = await call('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
    expect(fin.status).toBe(200);
    const n = fin.body.plan.aiTasks.length + fin.body.plan.csmTasks.length;
    expect(fin.body.plan.mirror).toEqual({ synced: n, pending: 0, failed: 0, stuck: [] });
    const queued = await call('GET', '/api/workflows/tasks?auto_execute=true&execution_status=queued');
    expect(queued.body.tasks).toHaveLength(fin.body.plan.aiTasks.length);
    const doc = await (await fetch(`${service.url}/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/workflows/executions', '/api/workflows/tasks/{id}']));
    const docs = await fetch(`${service.url}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain("fetch('/openapi.json')");
  });
});
