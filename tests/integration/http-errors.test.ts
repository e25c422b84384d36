import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/** Every 400/401/403/404 path answers with the one error shape, names what is wrong, and writes nothing. */
describe('HTTP errors', () => {
  let h: Harness;
  let executionId: string;
  let taskId: string;
  const unknownUuid = '00000000-0000-4000-8000-000000000000';
  beforeAll(async () => {
    h = await startHarness();
    const finalized = await h.finalizedPlan();
    executionId = finalized.executionId;
    taskId = finalized.plan.csmTasks[0].taskId;
  });
  afterAll(async () => h?.close());

  const shape = (res: { body: any }, code: string) => {
    expect(res.body.error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
    expect(Array.isArray(res.body.error.issues)).toBe(true);
  };

  describe('401', () => {
    it('without an Authorization header', async () => {
      const res = await h.api('GET', `/api/workflows/executions/${executionId}`, undefined, { key: null });
      expect(res.status).toBe(401);
      shape(res, 'UNAUTHORIZED');
      expect(res.body.error.message).toMatch(/Missing Authorization/);
    });
    it('with a wrong key, a key of another length, or another scheme', async () => {
      for (const headers of [
        { authorization: 'Bearer wrong' },
        { authorization: `Bearer ${'x'.repeat(300)}` },
        { authorization: 'Basic dXNlcjpwYXNz' },
      ]) {
        const res = await h.api('GET', `/api/workflows/executions/${executionId}`, undefined, { key: null, headers });
        expect(res.status).toBe(401);
        shape(res, 'UNAUTHORIZED');
      }
    });
    it('even for unknown routes under /api, so nothing is revealed', async () => {
      const res = await h.api('GET', '/api/nothing-here', undefined, { key: null });
      expect(res.status).toBe(401);
    });
    it('never echoes the key in a response', async () => {
      const res = await h.api('GET', `/api/workflows/executions/${executionId}`, undefined, { key: 'Bearer-secret-guess-123' });
      expect(res.text).not.toContain('secret-guess');
    });
  });

  describe('400', () => {
    // Without the header the signed assertion names the user (tests/integration/user-assertion.test.ts); when sent, it
    // must be a User id.
    it('with a malformed or non-user id in the Salesforce user header', async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [{ 'x-salesforce-user-id': 'not-an-id' }, /15 or 18 character/],
        [{ 'x-salesforce-user-id': '0055e0000000001AAB' }, /checksum/],
        [{ 'x-salesforce-user-id': h.discoveryId }, /must be a User id/],
      ];
      for (const [headers, message] of cases) {
        const res = await h.app.request(`/api/workflows/executions/${executionId}`, {
          headers: { authorization: 'Bearer test-service-api-key-0123456789abcdef', ...headers },
        });
        expect(res.status).toBe(400);
        const body: any = await res.json();
        shape({ body }, 'VALIDATION_FAILED');
        expect(body.error.issues[0].path).toBe('header.X-Salesforce-User-Id');
        expect(body.error.message).toMatch(message);
      }
    });
    it('for a malformed opportunity id, a missing one, extra fields, or a body that is not JSON', async () => {
      const bad = await h.api('POST', '/api/workflows/executions', { opportunityId: "006' OR Id != '" });
      expect(bad.status).toBe(400);
      expect(bad.body.error.issues[0].path).toBe('body.opportunityId');
      const missing = await h.api('POST', '/api/workflows/executions', {});
      expect(missing.body.error.issues[0].path).toBe('body.opportunityId');
      const extra = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId, admin: true });
      expect(extra.status).toBe(400);
      expect(extra.body.error.message).toMatch(/admin/);
      const notJson = await h.api('POST', '/api/workflows/executions', '{"opportunityId":');
      expect(notJson.status).toBe(400);
      expect(notJson.body.error.message).toMatch(/not valid JSON/);
    });
    it('for a malformed execution or task id in the path', async () => {
      for (const path of ['/api/workflows/executions/123', '/api/workflows/executions/abc/action-plan', '/api/workflows/tasks/xyz']) {
        const res = await h.api('GET', path);
        expect(res.status).toBe(400);
        expect(res.body.error.issues[0]).toMatchObject({ path: 'path.id', message: 'must be a UUID' });
      }
    });
    it('for bad task filters and cursors', async () => {
      const res = await h.api('GET', '/api/workflows/tasks?execution_status=done&limit=0');
      expect(res.status).toBe(400);
      expect(res.body.error.issues.map((i: any) => i.path).sort()).toEqual(['query.execution_status', 'query.limit']);
      const cursor = await h.api('GET', '/api/workflows/tasks?cursor=bm9wZQ');
      expect(cursor.body.error.issues[0]).toMatchObject({ path: 'query.cursor', message: 'is not a cursor returned by this endpoint' });
      const unknown = await h.api('GET', '/api/workflows/tasks?sort=desc');
      expect(unknown.status).toBe(400);
    });
    it('for bad task changes', async () => {
      const empty = await h.api('PATCH', `/api/workflows/tasks/${taskId}`, {});
      expect(empty.body.error.message).toMatch(/must change at least one/);
      const status = await h.api('PATCH', `/api/workflows/tasks/${taskId}`, { status: 'done' });
      expect(status.body.error.issues[0].path).toBe('body.status');
      const date = await h.api('PATCH', `/api/workflows/tasks/${taskId}`, { dueDate: '2026-13-45x' });
      expect(date.body.error.issues[0].path).toBe('body.dueDate');
      const past = await h.api('PATCH', `/api/workflows/tasks/${taskId}`, { snoozedUntil: '2001-01-01T00:00:00Z' });
      expect(past.body.error.issues[0]).toMatchObject({ path: 'body.snoozedUntil', message: 'must be in the future' });
    });
    it('for finalize edits naming an unknown task (on a fresh draft)', async () => {
      const other = await h.api('POST', '/api/workflows/executions', { opportunityId: h.opportunities['Northwind Health — FY27 Renewal'] });
      const id = other.body.execution.id;
      await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
      const res = await h.api('POST', `/api/workflows/executions/${id}/action-plan/finalize`, { edits: [{ key: 'csm-99', priority: 1 }] });
      expect(res.status).toBe(400);
      expect(res.body.error.issues[0]).toMatchObject({ path: 'body.edits.0.key' });
      const still = await h.api('GET', `/api/workflows/executions/${id}/action-plan`);
      expect(still.body.plan.status).toBe('draft');
    });
  });

  describe('403', () => {
    it('for a user who cannot edit the opportunity, on every route', async () => {
      const morgan = h.users['Morgan Diaz']!;
      const calls: [string, string, unknown?][] = [
        ['POST', '/api/workflows/executions', { opportunityId: h.discoveryId }],
        ['GET', `/api/workflows/executions/${executionId}`],
        ['GET', `/api/workflows/executions/${executionId}/action-plan`],
        ['POST', `/api/workflows/executions/${executionId}/action-plan/generate`],
        ['POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {}],
        ['GET', `/api/workflows/tasks?opportunity_id=${h.discoveryId}`],
        ['GET', `/api/workflows/tasks/${taskId}`],
        ['PATCH', `/api/workflows/tasks/${taskId}`, { status: 'completed' }],
        ['POST', `/api/workflows/tasks/${taskId}/execute`],
      ];
      for (const [method, path, body] of calls) {
        const res = await h.api(method, path, body, { user: morgan });
        expect(res.status, `${method} ${path}`).toBe(403);
        shape(res, 'FORBIDDEN');
      }
      const [row] = await h.sql`SELECT status FROM workflow_tasks WHERE id = ${taskId}`;
      expect(row!.status).not.toBe('completed');
    });
    it('lists no tasks of opportunities the user cannot see', async () => {
      const res = await h.api('GET', '/api/workflows/tasks', undefined, { user: h.users['Morgan Diaz'] });
      expect(res.status).toBe(200);
      expect(res.body.tasks).toEqual([]);
      const jordan = await h.api('GET', '/api/workflows/tasks');
      expect(jordan.body.tasks.length).toBeGreaterThan(0);
    });
    it('for an inactive user', async () => {
      const res = await h.api('GET', `/api/workflows/executions/${executionId}`, undefined, { user: h.users['Casey Former'] });
      expect(res.status).toBe(403);
    });
    it('lets an administrator in', async () => {
      const res = await h.api('GET', `/api/workflows/executions/${executionId}`, undefined, { user: h.users['Alex Admin'] });
      expect(res.status).toBe(200);
    });
  });

  describe('404', () => {
    it('for unknown executions and tasks', async () => {
      for (const path of [
        `/api/workflows/executions/${unknownUuid}`,
        `/api/workflows/executions/${unknownUuid}/action-plan`,
        `/api/workflows/tasks/${unknownUuid}`,
      ]) {
        const res = await h.api('GET', path);
        expect(res.status).toBe(404);
        shape(res, 'NOT_FOUND');
      }
      const gen = await h.api('POST', `/api/workflows/executions/${unknownUuid}/action-plan/generate`);
      expect(gen.status).toBe(404);
    });
    it('for an opportunity that does not exist, asked by an administrator or by a CSM', async () => {
      for (const user of [h.users['Alex Admin'], h.users['Jordan Lee']]) {
        const res = await h.api('POST', '/api/workflows/executions', { opportunityId: '006000000000000AAA' }, { user });
        expect(res.status).toBe(404);
        expect(res.body.error.message).toMatch(/Opportunity 006000000000000AAA was not found/);
      }
    });
    it('for unknown routes', async () => {
      const res = await h.api('GET', '/api/workflows/nothing');
      expect(res.status).toBe(404);
    });
  });

  it('answers 503 naming Salesforce when it is unavailable, and nothing is written', async () => {
    const before = await h.sql`SELECT count(*)::int AS n FROM workflow_executions`;
    h.org.injectFault({ count: 20, errorCode: 'SERVER_UNAVAILABLE', methods: ['GET'] });
    const res = await h.api('POST', '/api/workflows/executions', { opportunityId: h.opportunities['Initech Software — FY27 Renewal'] });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' });
    expect(res.body.error.message).toMatch(/SERVER_UNAVAILABLE/);
    const after = await h.sql`SELECT count(*)::int AS n FROM workflow_executions`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
