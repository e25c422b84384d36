import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/src/config.ts';
import { createLogger } from '../../service/src/log.ts';
import { startService, type RunningService } from '../../service/src/server.ts';
import { type OrgEmulator } from '../../dev/org-emulator/index.ts';
import { startDemoOrg } from '../../dev/demo-seed/index.ts';
import { signAssertion, TEST_AUDIENCE, testAssertionKeys } from '../../testkit/assertions.ts';
import { freshDatabase } from '../../testkit/database.ts';

/**
 * The same build pointed at "real" systems through environment variables: a PostgreSQL server by DATABASE_URL
 * and a Salesforce org by SF_INSTANCE_URL + SF_ACCESS_TOKEN (here the local org emulator, NOT Salesforce, started
 * on its own as a remote org would be).
 */
describe('configured mode (DATABASE_URL, SF_INSTANCE_URL + SF_ACCESS_TOKEN)', () => {
  let service: RunningService | undefined;
  let org: OrgEmulator | undefined;
  let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  afterAll(async () => {
    await service?.close();
    await org?.close();
    await db?.drop();
  });

  it('plans, finalizes and mirrors against them, and refuses the wrong key', async () => {
    db = await freshDatabase({ migrate: false });
    org = await startDemoOrg({ accessToken: 'org-session-token', today: new Date('2026-11-25T12:00:00Z') });
    const key = 'configured-mode-service-key-0123456789';
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: db.url,
      SF_INSTANCE_URL: org.url,
      SF_ACCESS_TOKEN: 'org-session-token',
      SERVICE_API_KEY: key,
      TODAY: '2026-11-25',
      // The certificate Apex signs the user assertion with (here the test kit's public key) and the Named Credential's
      // URL; the org id is read from the org.
      SALESFORCE_ASSERTION_CERT: testAssertionKeys().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      SERVICE_AUDIENCE: TEST_AUDIENCE,
    });
    expect(config.salesforce.mode).toBe('token');
    service = await startService(config, createLogger('silent'));
    expect(service.deps.db.kind).toBe('server');
    expect(service.emulator).toBeUndefined();
    expect(service.generatedApiKey).toBe(false);
    expect(service.demoKey).toBeUndefined();
    const orgId = String(org.records('Organization')[0]!.Id);

    const call = async (method: string, path: string, body?: unknown, auth = key) => {
      const res = await fetch(`${service!.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${auth}`,
          'x-salesforce-assertion': await signAssertion({ user: '0055e0000000001AAA', orgId, now: service!.deps.now() }),
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await call('GET', '/api/workflows/tasks', undefined, 'not-the-key')).status).toBe(401);
    // The service key alone is not enough: the user is the signed assertion's.
    const unsigned = await fetch(`${service.url}/api/workflows/tasks`, {
      headers: { authorization: `Bearer ${key}`, 'x-salesforce-user-id': '0055e0000000001AAA' },
    });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as any).error.message).toMatch(/rejected \(missing\)/);
    // The stand-in for Apex that signs for the local preview exists only in the embedded mode.
    const standIn = await fetch(`${service.url}/preview-apex/api/workflows/tasks`, {
      headers: { authorization: `Bearer ${key}`, 'x-salesforce-user-id': '0055e0000000001AAA' },
    });
    expect(standIn.status).toBe(404);
    const start = await call('POST', '/api/workflows/executions', { opportunityId: '0065e0000000002AAA' });
    expect(start.body.execution).toMatchObject({ stage: 'Negotiate', opportunityName: 'Northwind Health — FY27 Renewal' });
    const id = start.body.execution.id;
    await call('POST', `/api/workflows/executions/${id}/action-plan/generate`);
    const fin = await call('POST', `/api/workflows/executions/${id}/action-plan/finalize`, {});
    expect(fin.body.plan.status).toBe('finalized');
    // Each plan task is one Salesforce Task keyed by its id (AI processors may log further Tasks of their own).
    const planTaskIds = [...fin.body.plan.aiTasks, ...fin.body.plan.csmTasks].map((t: any) => t.taskId);
    const mirrored = org.records('Task').filter((t) => planTaskIds.includes(t.Action_Plan_Task_Id__c));
    expect(mirrored).toHaveLength(planTaskIds.length);
    // The executor may already be changing AI tasks (which queues them for another mirror), so check the link.
    const rows = await db.sql`SELECT id, salesforce_task_id FROM workflow_tasks WHERE id IN ${db.sql(planTaskIds)}`;
    expect(rows).toHaveLength(planTaskIds.length);
    const byRecord = new Map(mirrored.map((t) => [t.Action_Plan_Task_Id__c, t.Id]));
    expect(rows.every((r) => r.salesforce_task_id === byRecord.get(r.id))).toBe(true);
  });
});
