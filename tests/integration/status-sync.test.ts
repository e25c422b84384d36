import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { syncTaskStatusFromSalesforce } from '../../service/src/sync/status-sync.ts';
import { seedPlan } from '../../testkit/executor/fixtures.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { salesforceId } from '../../dev/org-emulator/index.ts';
import { DEMO_IDS, loadDemoSeed } from '../../dev/demo-seed/index.ts';

const ACME = DEMO_IDS.opportunities.acme;
const CSM = DEMO_IDS.users.jordanLee;

/** The completion pull (Salesforce → plan tasks) under mass updates and hostile data. */
describe('completion sync from Salesforce', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** Plan tasks already mirrored: `salesforceIds[i]` is the Task the mirror wrote for `ids[i]`. */
  async function planTasks(ids: string[], salesforceIds: string[] = []) {
    const plan = await seedPlan(h.sql, { opportunityId: ACME });
    const rows = ids.map((id, i) => ({
      id,
      action_plan_id: plan.planId,
      execution_id: plan.executionId,
      opportunity_id: ACME,
      plan_task_key: `csm-${i}`,
      owner: 'CSM',
      action: `Task ${i}`,
      assignee_user_id: CSM,
      mirror_status: 'synced',
      salesforce_task_id: salesforceIds[i] ?? null,
    }));
    for (let i = 0; i < rows.length; i += 500) await h.sql`INSERT INTO workflow_tasks ${h.sql(rows.slice(i, i + 500) as never)}`;
  }
  const completedCount = async () =>
    (await h.sql`SELECT count(*)::int AS n FROM workflow_tasks WHERE status = 'completed'`)[0]!.n as number;

  it('completes every one of 450 Tasks closed in one mass update (one SystemModstamp second), paging by keyset', async () => {
    const ids = Array.from({ length: 450 }, () => randomUUID());
    const seed = loadDemoSeed();
    // A mass update: 450 mirrored Tasks closed by one transaction, so they share one SystemModstamp.
    seed.Task = [
      ...(seed.Task ?? []),
      ...ids.map((id, i) => ({
        Id: salesforceId('00T', 500_000 + i),
        Subject: `Task ${i}`,
        Status: 'Completed',
        Priority: 'Normal',
        WhatId: ACME,
        OwnerId: CSM,
        Action_Plan_Task_Id__c: id,
        CreatedDate: { daysFromToday: -3, time: '09:00' },
        LastModifiedDate: { daysFromToday: 0, time: '09:00' },
      })),
    ];
    h = await startHarness({ seed });
    await planTasks(
      ids,
      ids.map((_, i) => salesforceId('00T', 500_000 + i)),
    );
    h.org.resetRequests();
    const report = await syncTaskStatusFromSalesforce(h.deps);
    expect(report.completed).toHaveLength(450);
    expect(await completedCount()).toBe(450);
    const queries = h.org.requests.filter((r) => r.soql);
    expect(queries).toHaveLength(3);
    expect(queries[1]!.soql).toMatch(
      /\(SystemModstamp > \S+ OR \(SystemModstamp = \S+ AND Id > '00T\w+'\)\) ORDER BY SystemModstamp ASC, Id ASC LIMIT 200/,
    );
    // The cursor stands after the last Task: the next run reads nothing again.
    h.org.resetRequests();
    expect(await syncTaskStatusFromSalesforce(h.deps)).toEqual({
      completed: [],
      remirrored: [],
      skipped: [],
      reasserted: [],
      malformed: [],
    });
  });

  it('skips and reports a Task whose Action_Plan_Task_Id__c is not a plan task id; completions keep flowing', async () => {
    h = await startHarness();
    const good = randomUUID();
    const conn = h.deps.salesforce.conn;
    // Anyone in the org can type into the field.
    const bad = (await conn.sobject('Task').create({
      Subject: 'typed by hand',
      WhatId: ACME,
      Status: 'Completed',
      Action_Plan_Task_Id__c: '------------------------------------',
    } as never)) as unknown as { id: string };
    // A processor's own audit Task is not a plan task, and not malformed either.
    await conn
      .sobject('Task')
      .create({ Subject: 'audit', WhatId: ACME, Status: 'Completed', Action_Plan_Task_Id__c: `${randomUUID()}:audit` } as never);
    const real = (await conn
      .sobject('Task')
      .create({ Subject: 'the real one', WhatId: ACME, Status: 'Completed', Action_Plan_Task_Id__c: good } as never)) as unknown as {
      id: string;
    };
    await planTasks([good], [real.id]);
    h.logLines.length = 0;
    const first = await syncTaskStatusFromSalesforce(h.deps);
    expect(first).toEqual({ completed: [good], remirrored: [], skipped: [], reasserted: [], malformed: [bad.id] });
    const warning = h.logLines.map((l) => JSON.parse(l)).find((l) => /skipped/.test(l.msg));
    expect(warning).toMatchObject({
      level: 'warn',
      count: 1,
      tasks: [{ salesforceTaskId: bad.id, value: '"------------------------------------"' }],
    });
    // The cursor moved past it: reported once, and later completions still arrive.
    const later = randomUUID();
    const laterTask = (await conn
      .sobject('Task')
      .create({ Subject: 'later', WhatId: ACME, Status: 'Completed', Action_Plan_Task_Id__c: later } as never)) as unknown as {
      id: string;
    };
    await planTasks([later], [laterTask.id]);
    expect(await syncTaskStatusFromSalesforce(h.deps)).toEqual({
      completed: [later],
      remirrored: [],
      skipped: [],
      reasserted: [],
      malformed: [],
    });
  });
});
