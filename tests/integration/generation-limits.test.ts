import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../service/src/app.ts';
import type { Deps } from '../../service/src/deps.ts';
import { API_KEY, startHarness, type Harness } from '../../testkit/harness.ts';
import { operationsOf } from '../../testkit/salesforce-calls.ts';

/**
 * Plan generation is bounded (issue 9, item 8): per user and per execution, shared by every instance through
 * PostgreSQL, 429 with Retry-After beyond the limit; and an execution keeps a bounded number of draft versions.
 * The window is an hour, so no test run is slow enough for the limit to refill by itself; refilling is shown by
 * moving the injected clock.
 */
describe('bounded plan generation', () => {
  let h: Harness;
  const WINDOW = 3600;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  /** An instance of the service on the shared database, with its own limits and clock. */
  const instance = (env: Partial<Deps['env']>, now?: () => Date) =>
    createApp({
      ...h.deps,
      env: { ...h.deps.env, PLAN_GENERATE_WINDOW_SECONDS: WINDOW, ...env },
      ...(now ? { now, today: h.deps.today } : {}),
    });
  /** Generates on an instance, with an assertion issued on that instance's clock (`now`). */
  const generate = async (app: ReturnType<typeof createApp>, executionId: string, user = h.users['Jordan Lee']!, now = h.deps.now()) =>
    app.request(`/api/workflows/executions/${executionId}/action-plan/generate`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'x-salesforce-user-id': user,
        'x-salesforce-assertion': await h.assertionFor(user, now),
      },
    });
  const start = async (name: string) =>
    (await h.api('POST', '/api/workflows/executions', { opportunityId: h.opportunities[name] })).body.execution.id as string;
  const versions = async (executionId: string) =>
    h.sql<{ version: number; status: string; finalized: boolean }[]>`
      SELECT version, status, finalized_at IS NOT NULL AS finalized FROM action_plans WHERE execution_id = ${executionId} ORDER BY version`;

  it('a burst on one execution: the limit passes, the rest get 429 with Retry-After, across two instances', async () => {
    const executionId = await start('Acme Logistics — FY27 Renewal');
    const a = instance({ PLAN_GENERATE_LIMIT_PER_EXECUTION: 4, PLAN_GENERATE_LIMIT_PER_USER: 100 });
    const b = instance({ PLAN_GENERATE_LIMIT_PER_EXECUTION: 4, PLAN_GENERATE_LIMIT_PER_USER: 100 });
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => generate(i % 2 ? a : b, executionId)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(4).fill(201), ...Array(8).fill(429)]);
    const limited = responses.filter((r) => r.status === 429);
    for (const res of limited) {
      const retryAfter = Number(res.headers.get('retry-after'));
      // One generation per WINDOW / limit = 900 s comes back.
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(900);
      const body: any = await res.json();
      expect(body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/4 plan generations per execution/) });
    }
    // A refused call costs no Salesforce read beyond the access check every call makes (no context load, no model).
    const contextReads = () =>
      operationsOf(h.org.requests).filter((r) => r.method === 'GET' && !r.soql?.includes('UserRecordAccess')).length;
    const before = contextReads();
    expect((await generate(a, executionId)).status).toBe(429);
    expect(contextReads()).toBe(before);
    expect((await versions(executionId)).length).toBe(4);
  });

  it('the per-user limit spans executions, and a refused call costs the execution nothing', async () => {
    const first = await start('Northwind Health — FY27 Renewal');
    const second = await start('Initech Software — FY27 Renewal');
    const app = instance({ PLAN_GENERATE_LIMIT_PER_USER: 3, PLAN_GENERATE_LIMIT_PER_EXECUTION: 10 });
    const admin = h.users['Alex Admin']!;
    expect((await generate(app, first, admin)).status).toBe(201);
    expect((await generate(app, first, admin)).status).toBe(201);
    expect((await generate(app, second, admin)).status).toBe(201);
    const refused = await generate(app, second, admin);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.message).toMatch(/3 plan generations per user/);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another user is not limited by Alex's calls; the execution's own budget was not spent by the refusal.
    expect((await generate(app, second)).status).toBe(201);
    const [row] = await h.sql<{ tat: Date }[]>`SELECT tat FROM rate_limits WHERE key = ${`generate:execution:${second}`}`;
    const perExecution = (WINDOW * 1000) / 10;
    expect(row!.tat.getTime() - h.deps.now().getTime()).toBeLessThanOrEqual(2 * perExecution);
  });

  it('allows again once the window has moved on (on the injected clock)', async () => {
    const executionId = await start('Globex Manufacturing — FY27 Renewal');
    const base = h.deps.now().getTime();
    let offset = 0;
    const app = instance({ PLAN_GENERATE_LIMIT_PER_EXECUTION: 2, PLAN_GENERATE_LIMIT_PER_USER: 100 }, () => new Date(base + offset));
    expect((await generate(app, executionId)).status).toBe(201);
    expect((await generate(app, executionId)).status).toBe(201);
    const refused = await generate(app, executionId);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBe(1800);
    offset = 1799_000;
    const jordan = h.users['Jordan Lee']!;
    expect((await generate(app, executionId, jordan, new Date(base + offset))).status).toBe(429);
    offset = 1800_000;
    expect((await generate(app, executionId, jordan, new Date(base + offset))).status).toBe(201);
  });
});

/** Old drafts are pruned when a new one is stored; a version that was ever finalized is never pruned. */
describe('bounded draft versions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('keeps the newest drafts and every finalized version', async () => {
    const executionId = (await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution.id as string;
    const app = createApp({ ...h.deps, env: { ...h.deps.env, PLAN_DRAFT_VERSIONS_KEPT: 2 } });
    const generate = async () =>
      app.request(`/api/workflows/executions/${executionId}/action-plan/generate`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${API_KEY}`,
          'x-salesforce-user-id': h.users['Jordan Lee']!,
          'x-salesforce-assertion': await h.assertionFor(),
        },
      });
    const versions = async () =>
      (
        await h.sql<{ version: number; status: string; finalized: boolean }[]>`
        SELECT version, status, finalized_at IS NOT NULL AS finalized FROM action_plans WHERE execution_id = ${executionId} ORDER BY version`
      ).map((v) => [v.version, v.status, v.finalized]);
    for (let i = 0; i < 4; i++) expect((await generate()).status).toBe(201);
    expect(await versions()).toEqual([
      [3, 'superseded', false],
      [4, 'draft', false],
    ]);
    expect((await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {})).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await generate()).status).toBe(201);
    // Version 4 was finalized: it stays, with its tasks; of the drafts since, the newest two remain.
    expect(await versions()).toEqual([
      [4, 'finalized', true],
      [6, 'superseded', false],
      [7, 'draft', false],
    ]);
    const current = await h.api('GET', `/api/workflows/executions/${executionId}/action-plan`);
    expect(current.body.plan).toMatchObject({ version: 7, status: 'draft' });
    expect(current.body.plan.diff.previousVersion).toBe(4);
    expect((await h.sql`SELECT count(*)::int AS n FROM workflow_tasks WHERE execution_id = ${executionId}`)[0]!.n).toBeGreaterThan(0);
  });
});
