import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unblockDependents } from '../../service/src/db/dependencies.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { mirrorPendingTasks } from '../../service/src/sync/mirror/mirror.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { untilSettledOrWaitingOnLock } from '../../testkit/lock-wait.ts';

/**
 * Two prerequisites of one task finished at the same moment by two transactions on two connection pools (two service
 * instances): the second transaction's re-check must see the first's completion, so the dependent is unblocked and
 * its Salesforce Task (read through jsforce) leaves "Waiting on someone else".
 */
describe('unblocking a task whose two prerequisites finish at once', () => {
  let h: Harness;
  let other: Sql;
  let a: string, b: string, d: string;
  const sfTask = async (taskId: string) =>
    (
      await h.deps.salesforce.conn.query<{ Status: string; Description: string }>(
        `SELECT Status, Description FROM Task WHERE Action_Plan_Task_Id__c = '${taskId}'`,
      )
    ).records[0]!;

  beforeAll(async () => {
    h = await startHarness();
    other = postgres(h.db.url, { max: 2, onnotice: () => undefined, transform: { undefined: null } }) as Sql;
    const { plan } = await h.finalizedPlan();
    [a, b, d] = plan.csmTasks.slice(0, 3).map((t: any) => t.taskId as string);
    await h.sql`INSERT INTO task_dependencies (task_id, prerequisite_id) VALUES (${d}, ${a}), (${d}, ${b})`;
    await h.sql`UPDATE workflow_tasks SET mirror_status = 'pending' WHERE id = ${d}`;
    await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    expect((await sfTask(d)).Status).toBe('Waiting on someone else');
  });
  afterAll(async () => {
    await other?.end({ timeout: 5 });
    await h?.close();
  });

  it('re-checks the dependent after the other completion committed (no write skew), and Salesforce follows', async () => {
    let first: string[] = [];
    let second!: Promise<string[]>;
    await h.sql.begin(async (tx) => {
      await tx`UPDATE workflow_tasks SET status = 'completed', completed_at = now() WHERE id = ${a}`;
      first = await unblockDependents(tx, [a]);
      // The other instance completes B while A's transaction is still open, and re-checks D before A commits
      // (or waits on D's lock until it does).
      second = other.begin(async (tx2) => {
        await tx2`UPDATE workflow_tasks SET status = 'completed', completed_at = now() WHERE id = ${b}`;
        return unblockDependents(tx2, [b]);
      });
      await untilSettledOrWaitingOnLock(second, h.sql);
    });
    const unblocked = [...first, ...(await second)];
    // D exactly once: by the transaction that committed last (others of the plan may wait for A or B too).
    expect(unblocked.filter((id) => id === d)).toEqual([d]);
    const [row] = await h.sql`SELECT mirror_status FROM workflow_tasks WHERE id = ${d}`;
    expect(row!.mirror_status).toBe('pending');
    await mirrorPendingTasks(h.sql, h.deps.salesforce, h.deps.log);
    const task = await sfTask(d);
    expect(task.Status).toBe('Not Started');
    expect(task.Description).not.toContain('not done yet');
  });
});
