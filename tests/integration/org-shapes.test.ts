// The main path on each org shape (issue 23): start, generate, finalize, AI tasks, mirror, completion sync, portfolio —
// through the real jsforce client against the org emulator (not Salesforce) loaded with each shape of
// dev/org-emulator/shapes/, and the real PostgreSQL server.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadShape } from '../../dev/org-emulator/index.ts';
import { createExecutor } from '../../service/src/executor/index.ts';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { startSalesforceSync } from '../../service/src/sync/loop.ts';
import { startHarness } from '../../testkit/harness.ts';

const shapeFile = (name: string) => fileURLToPath(new URL(`../../dev/org-emulator/shapes/${name}.json`, import.meta.url));

const SHAPES = [
  { name: 'demo', taskStatuses: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], teamsOff: false },
  { name: 'enterprise-no-teams', taskStatuses: ['Open', 'In Progress', 'Waiting on Customer', 'Done'], teamsOff: true },
  {
    name: 'professional',
    taskStatuses: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
    teamsOff: false,
  },
  { name: 'german', taskStatuses: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], teamsOff: false },
];

describe('the main path on every org shape', () => {
  it.each(SHAPES)('$name: start, generate, finalize, AI tasks, mirror, completion sync, portfolio', { timeout: 120_000 }, async (s) => {
    const shape = loadShape(shapeFile(s.name));
    const h = await startHarness({ shape });
    try {
      const features = h.deps.salesforce.features;
      expect(features.accountTeams).toBe(shape.features?.accountTeams ?? true);
      expect(features.customNotifications).toBe(shape.features?.customNotifications ?? true);

      const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
      expect(start.status, JSON.stringify(start.body)).toBe(201);
      const executionId: string = start.body.execution.id;
      const draft = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`);
      expect(draft.status, JSON.stringify(draft.body)).toBe(201);
      const finalized = await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/finalize`, {});
      expect(finalized.status, JSON.stringify(finalized.body)).toBe(200);

      // Completed in Salesforce with the org's closing status: the plan task completes on the next sync. (Before the
      // loop runs: its cursor is the last change read, and this test does not wait for the clock to pass it.)
      const csmTask = finalized.body.plan.csmTasks.find((t: { complexity: string }) => t.complexity === 'complex');
      const record = h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === csmTask.taskId)!;
      h.org.updateRecord('Task', String(record.Id), { Status: h.deps.salesforce.taskStatuses.completed });
      expect((await syncTaskStatusFromSalesforce(h.deps)).completed).toContain(csmTask.taskId);

      // The mirror and the AI tasks, a few rounds of the background loop and the executor.
      const sync = startSalesforceSync(h.deps, 86_400_000, { runAtStart: false });
      const executor = createExecutor(h.deps, { options: { retryDelayMs: 0, maxAttempts: 3, batchSize: 10 } });
      for (let round = 0; round < 4; round++) {
        await sync.runOnce();
        await executor.runOnce();
        await h.sql`UPDATE workflow_tasks SET mirror_retry_at = NULL WHERE mirror_status = 'pending'`;
      }
      await sync.stop();
      const tasks = await h.sql<
        { id: string; mirrorStatus: string; mirrorError: string | null; executionStatus: string | null; lastError: string | null }[]
      >`
        SELECT id, mirror_status AS "mirrorStatus", mirror_error AS "mirrorError", execution_status AS "executionStatus",
               last_error AS "lastError"
          FROM workflow_tasks WHERE parent_task_id IS NULL`;
      expect(tasks.filter((t) => t.mirrorStatus !== 'synced').map((t) => t.mirrorError)).toEqual([]);
      expect(tasks.filter((t) => t.executionStatus === 'failed').map((t) => t.lastError)).toEqual([]);
      expect(tasks.filter((t) => t.executionStatus === 'success').length).toBeGreaterThan(0);

      // Every mirrored Task carries one of the org's own Status values.
      const mirrored = h.org.records('Task').filter((t) => t.Action_Plan_Task_Id__c);
      for (const t of tasks) expect(mirrored.filter((m) => m.Action_Plan_Task_Id__c === t.id)).toHaveLength(1);
      for (const t of mirrored) expect(s.taskStatuses).toContain(t.Status);

      // Without teams, a task asked of a team role falls to the owner with a note saying the teams are off.
      const roleTasks = await h.sql<{ source: string; note: string | null }[]>`
        SELECT assignee_source AS source, assignee_note AS note FROM workflow_tasks WHERE assignee_role IS NOT NULL`;
      if (s.teamsOff) {
        expect(roleTasks.length).toBeGreaterThan(0);
        for (const t of roleTasks) expect(t).toMatchObject({ source: 'owner-fallback', note: expect.stringMatching(/teams in this org/) });
      }

      // Without a custom notification type, the bell stays silent and the service's own notifications remain.
      const inService = (await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications`)[0]!.n;
      expect(inService).toBeGreaterThan(0);
      if (!features.customNotifications) expect(h.org.notifications).toEqual([]);

      const book = await h.api('GET', '/api/portfolio');
      expect(book.status).toBe(200);
      expect(book.body.rows.map((r: { opportunityId: string }) => r.opportunityId)).toContain(h.discoveryId);
    } finally {
      await h.close();
    }
  });
});
