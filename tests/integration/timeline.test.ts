import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../service/src/executor/index.ts';
import { timelineNow } from '../../service/src/plan/timeline-status.ts';
import { startHarness } from '../../testkit/harness.ts';

/** The timeline follows the tasks it stands for, and an AI task's result reaches Salesforce as soon as it ran. */
describe('live timeline and the mirror after an AI task', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const planOf = async (executionId: string) => (await h.api('GET', `/api/workflows/executions/${executionId}/action-plan`)).body.plan;
  const salesforceTask = (taskId: string) => h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === taskId);

  it('marks AI steps done once their tasks ran, with each Salesforce Task completed without waiting for the sweep', async () => {
    const { executionId, plan } = await h.finalizedPlan();
    const aiKeys = new Set(plan.aiTasks.map((t: any) => t.key));
    const aiSteps = plan.timeline.filter((s: any) => s.taskKeys.some((k: string) => aiKeys.has(k)));
    expect(aiSteps.length).toBeGreaterThan(0);
    for (const step of plan.timeline) expect(step.status).toBe('pending');

    // The CSM tasks AI tasks wait for are done first (a waiting AI task is not claimed).
    for (const b of plan.aiTasks.flatMap((t: any) => t.blockedBy)) {
      const prerequisite = plan.csmTasks.find((t: any) => t.key === b.key);
      expect((await h.api('PATCH', `/api/workflows/tasks/${prerequisite.taskId}`, { status: 'completed' })).status).toBe(200);
    }
    const executor = createExecutor(h.deps, { options: { workerId: 'timeline-test' } });
    const outcomes = await executor.runOnce();
    await executor.stop(); // waits for the mirrors the runs started
    expect(outcomes.map((o) => o.status)).toEqual(plan.aiTasks.map(() => 'success'));

    const after = await planOf(executionId);
    for (const step of after.timeline.filter((s: any) => s.taskKeys.some((k: string) => aiKeys.has(k))))
      expect(step).toMatchObject({ status: 'done' });
    for (const task of after.aiTasks) expect(salesforceTask(task.taskId)).toMatchObject({ Status: 'Completed' });
    expect(after.mirror).toMatchObject({ pending: 0, failed: 0, stuck: [] });
  });

  it("marks a CSM task's step done when the CSM completes it", async () => {
    const { executionId } = await h.finalizedPlan();
    const plan = await planOf(executionId);
    const task = plan.csmTasks.find((t: any) => t.status === 'pending');
    expect(plan.timeline.find((s: any) => s.taskKeys.includes(task.key)).status).toBe('pending');
    expect((await h.api('PATCH', `/api/workflows/tasks/${task.taskId}`, { status: 'completed' })).status).toBe(200);
    expect((await planOf(executionId)).timeline.find((s: any) => s.taskKeys.includes(task.key)).status).toBe('done');
  });
});

describe('timelineNow', () => {
  const step = (over: object) => ({
    step: 1,
    date: '2026-12-01',
    owner: 'CSM' as const,
    title: 'Call Eric',
    description: '',
    status: 'pending' as const,
    taskKeys: ['csm-1'],
    ...over,
  });

  it('is overdue past its date unless done, in progress when part of its tasks are done', () => {
    const tasks = [
      { key: 'csm-1', action: 'Call Eric', status: 'pending', dueDate: '2026-12-01' },
      { key: 'ai-1', action: 'Update', status: 'completed', executionStatus: 'success' },
      { key: 'ai-2', action: 'Remind', status: 'pending', executionStatus: 'failed' },
    ];
    const timeline = [
      step({}),
      step({ step: 2, owner: 'AI', taskKeys: ['ai-1', 'ai-2'], date: '2026-12-03' }),
      step({ step: 3, owner: 'Customer', taskKeys: [], date: '2026-11-20' }),
    ];
    expect(timelineNow(timeline, tasks, '2026-11-30').map((s) => s.status)).toEqual(['pending', 'in_progress', 'overdue']);
    expect(timelineNow(timeline, tasks, '2026-12-02').map((s) => s.status)).toEqual(['overdue', 'in_progress', 'overdue']);
    const done = tasks.map((t) => ({ ...t, status: 'completed', executionStatus: t.executionStatus && 'success' }));
    expect(timelineNow(timeline, done, '2026-12-09').map((s) => s.status)).toEqual(['done', 'done', 'overdue']);
  });

  it("follows the CSM's new due date and title, and a plan stored before steps named their tasks by title", () => {
    const tasks = [{ key: 'csm-1', action: 'Call Eric', status: 'pending', dueDate: '2026-12-10' }];
    const legacy = { ...step({}), taskKeys: undefined } as unknown as ReturnType<typeof step>;
    expect(timelineNow([legacy], tasks, '2026-12-05')[0]).toMatchObject({ date: '2026-12-10', status: 'pending', taskKeys: ['csm-1'] });
    const retitled = [{ ...tasks[0]!, action: 'Call Eric Estrada this week' }];
    expect(timelineNow([step({})], retitled, '2026-12-05')[0]).toMatchObject({ title: 'Call Eric Estrada this week', date: '2026-12-10' });
  });
});
