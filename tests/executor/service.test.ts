import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/src/config.ts';
import { createLogger } from '../../service/src/log.ts';
import { startService, type RunningService } from '../../service/src/server.ts';
import { embeddedAssertion } from '../../testkit/assertions.ts';
import { freshDatabase } from '../../testkit/database.ts';
import { countInStatus, eventually } from '../../testkit/executor/fixtures.ts';

/** The executor as part of the running service: a finalized plan's AI tasks run on their own, then it stops cleanly. */
describe('executor in the service', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let service: RunningService;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${service.deps.apiKey}`,
        'x-salesforce-user-id': '0055e0000000001AAA',
        'x-salesforce-assertion': await embeddedAssertion(service, '0055e0000000001AAA'),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    db = await freshDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, PORT: '0', TODAY: '2026-11-25', HOLIDAY_COUNTRY: 'US', LOG_LEVEL: 'silent' });
    service = await startService(config, createLogger('silent'));
  });
  afterAll(async () => db?.drop());

  it("runs a finalized plan's AI tasks without being asked, woken by the finalize", async () => {
    const started = await call('POST', '/api/workflows/executions', { opportunityId: '0065e0000000001AAA' });
    const id = started.body.execution.id;
    await call('POST', `/api/workflows/executions/${id}/action-plan/generate`);
    const finalized = await call('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
    expect(finalized.status).toBe(200);
    // A task that waits for a CSM task (the CFO reminder) is not claimed: it stays queued.
    const waiting = finalized.body.plan.aiTasks.filter((t: any) => t.blockedBy.length > 0).map((t: any) => t.key);
    expect(waiting).toHaveLength(1);
    const ai = finalized.body.plan.aiTasks.length - waiting.length;
    expect(ai).toBeGreaterThan(0);
    // No tick is due (every 5 minutes) and no manual execute: the NOTIFY of the finalize wakes the executor.
    const tasks = await eventually(async () => {
      const res = await call('GET', `/api/workflows/tasks?auto_execute=true&execution_id=${id}`);
      const done = res.body.tasks.filter((t: any) => t.executionStatus === 'success' || t.executionStatus === 'failed');
      return done.length === ai && res.body.tasks;
    }, 'every AI task to run');
    for (const t of tasks)
      expect({ key: t.key, status: t.executionStatus, result: t.executionResult }).toMatchObject({
        status: waiting.includes(t.key) ? 'queued' : 'success',
      });
    expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${service.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const metrics = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${service.deps.apiKey}` } })).text();
    expect(metrics).toMatch(new RegExp(`rap_ai_tasks\\{status="success"\\} ${ai}`));
    expect(metrics).toMatch(/rap_ai_task_runs_total\{processor="salesforce-contact-updater",outcome="success"\} \d/);
  });

  it('closes leaving no task running', async () => {
    await service.close();
    expect(await countInStatus(db.sql, 'running')).toBe(0);
  });
});
