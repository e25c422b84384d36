import { afterEach, describe, expect, it } from 'vitest';
import { startSalesforceSync } from '../../service/src/sync/loop.ts';
import { SyncStatus } from '../../service/src/sync/sync-status.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/**
 * Change Data Capture end to end: the org emulator's Pub/Sub API (gRPC, Avro) and the service's subscriber through the
 * real @grpc/grpc-js client, with the poll interval at 10 minutes, so only change events can act within the test.
 */
describe('Change Data Capture through the Pub/Sub API', () => {
  let h: Harness;
  const loops: ReturnType<typeof startSalesforceSync>[] = [];
  afterEach(async () => {
    for (const loop of loops.splice(0)) await loop.stop();
    await h?.close();
  });

  const TEN_MINUTES = 600_000;

  /** Polls until `check` holds; fails after `ms` (a generous bound for "eventually", not a timing assertion). */
  async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
    const deadline = performance.now() + ms;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (performance.now() > deadline) throw new Error(`not within ${ms} ms: ${check.toString().slice(0, 200)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The sync loop with its subscriber, started as the service starts it; resolves once both channels stream. */
  async function startSync() {
    const loop = startSalesforceSync(h.deps, TEN_MINUTES, { pubsub: { address: h.org.pubsubAddress!, tls: false } });
    loops.push(loop);
    await loop.runOnce(); // the start-up run (and its poll) is over: from here on, only events act
    // The emulator's keepalives (every 50 ms here) carry the latest replay id, which the subscriber stores: proof
    // that both subscriptions are in place on the server.
    await eventually(async () => loop.status.mode === 'stream' && (await replayIds()).length === 2);
    return loop;
  }

  const replayIds = () => h.sql<{ channel: string; replay_id: Buffer }[]>`SELECT channel, replay_id FROM pubsub_replay ORDER BY channel`;
  const status = async (taskId: string) =>
    (await h.sql<{ status: string }[]>`SELECT status FROM workflow_tasks WHERE id = ${taskId}`)[0]!.status;
  /** The Salesforce Task mirrored for a plan task. */
  const salesforceTaskOf = (taskId: string) => String(h.org.records('Task').find((t) => t.Action_Plan_Task_Id__c === taskId)!.Id);
  /** Change events the subscriber applied (its debug log), as [Salesforce record id, replay id] pairs. */
  const applied = () =>
    h.logLines
      .map((line) => JSON.parse(line) as { msg: string; recordIds?: string[]; replayId?: string })
      .filter((l) => l.msg === 'salesforce change event applied')
      .flatMap((l) => l.recordIds!.map((id) => [id, l.replayId!] as const));
  const appliedFor = (salesforceId: string) => applied().filter(([id]) => id === salesforceId);
  /** The poll's queries (a SystemModstamp cursor) since a point; a read restricted to ids by an event is not one. */
  const pollQueries = (from: number) =>
    h.org.requests.slice(from).filter((r) => r.soql && /SystemModstamp >/.test(r.soql) && !/Id IN \('\w+'\)/.test(r.soql));

  async function planWithCsmTasks() {
    const { plan } = await h.finalizedPlan();
    const ids = (
      await h.sql<{ id: string }[]>`
      SELECT id FROM workflow_tasks WHERE action_plan_id = ${plan.id} AND owner = 'CSM' AND salesforce_task_id IS NOT NULL ORDER BY id`
    ).map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    return ids;
  }

  it('a Task completed in Salesforce completes its plan task through a change event, with the poll 10 minutes away', async () => {
    h = await startHarness({ pubsubKeepaliveMs: 50 });
    const [taskId] = await planWithCsmTasks();
    await startSync();
    const mark = h.org.requests.length;
    h.org.updateRecord('Task', salesforceTaskOf(taskId!), { Status: 'Completed' });
    // The event is logged as applied once the batch is done (after the database write): wait for both.
    await eventually(async () => (await status(taskId!)) === 'completed' && appliedFor(salesforceTaskOf(taskId!)).length > 0);
    expect(appliedFor(salesforceTaskOf(taskId!))).toHaveLength(1);
    // Not the poll: the only read was the poll's query restricted to the Task the event named.
    expect(pollQueries(mark)).toEqual([]);
    expect(
      h.org.requests
        .slice(mark)
        .filter((r) => r.soql)
        .map((r) => r.soql),
    ).toEqual([
      expect.stringMatching(new RegExp(`FROM Task WHERE Action_Plan_Task_Id__c != null AND Id IN \\('${salesforceTaskOf(taskId!)}'\\)`)),
    ]);
  });

  it('a renewal date moved in Salesforce produces the re-plan notice through a change event', async () => {
    h = await startHarness({ pubsubKeepaliveMs: 50 });
    await h.finalizedPlan();
    await startSync();
    const close = String(h.org.records('Opportunity').find((o) => o.Id === h.discoveryId)!.CloseDate);
    const moved = new Date(Date.parse(`${close}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10);
    const mark = h.org.requests.length;
    h.org.updateRecord('Opportunity', h.discoveryId, { CloseDate: moved });
    const notices = () => h.sql<{ body: string }[]>`SELECT body FROM notifications WHERE kind = 'replan-needed'`;
    const [notice] = await eventually(async () => ((await notices()).length ? notices() : undefined));
    expect(notice!.body).toContain(`to ${moved}`);
    expect(pollQueries(mark)).toEqual([]);
    expect(
      h.org.requests
        .slice(mark)
        .filter((r) => r.soql)
        .map((r) => r.soql),
    ).toEqual([expect.stringContaining(`FROM Opportunity WHERE Id IN ('${h.discoveryId}')`)]);
    // Another edit of the opportunity that leaves the date alone is not followed at all.
    const before = h.org.requests.length;
    h.org.updateRecord('Opportunity', h.discoveryId, { Description: 'edited' } as never);
    await eventually(() => applied().length >= 2);
    expect(h.org.requests.slice(before).filter((r) => r.soql)).toEqual([]);
    expect(await notices()).toHaveLength(1);
  });

  it('restarted mid-stream, the subscriber resumes from the stored replay id: nothing missed, nothing applied twice', async () => {
    h = await startHarness({ pubsubKeepaliveMs: 50 });
    const [first, second, third] = await planWithCsmTasks();
    const a = await startSync();
    h.org.updateRecord('Task', salesforceTaskOf(first!), { Status: 'Completed' });
    await eventually(() => appliedFor(salesforceTaskOf(first!)).length === 1);
    const [, stoppedAt] = appliedFor(salesforceTaskOf(first!))[0]!;
    await a.stop();
    // While no subscriber runs, two more Tasks are completed in Salesforce.
    h.org.updateRecord('Task', salesforceTaskOf(second!), { Status: 'Completed' });
    h.org.updateRecord('Task', salesforceTaskOf(third!), { Status: 'Completed' });
    // Stored at or after the last event applied (a keepalive may have moved it on to the latest position since).
    const stored = (await replayIds()).find((r) => r.channel === '/data/TaskChangeEvent')!.replay_id.toString('hex');
    expect(stored >= stoppedAt!, `${stored} < ${stoppedAt}`).toBe(true);
    await startSync();
    await eventually(() => appliedFor(salesforceTaskOf(second!)).length && appliedFor(salesforceTaskOf(third!)).length);
    for (const id of [first!, second!, third!]) {
      expect(appliedFor(salesforceTaskOf(id))).toHaveLength(1); // each change applied once, across both runs
      expect(await status(id)).toBe('completed');
    }
    // The second run started after the stored position, not from the latest event.
    expect(appliedFor(salesforceTaskOf(second!))[0]![1] > stoppedAt).toBe(true);
  });

  it('a stored replay id older than the 72-hour retention falls back to the poll, then streams from the latest event', async () => {
    h = await startHarness({ pubsubKeepaliveMs: 50 });
    const [first, second, third] = await planWithCsmTasks();
    const a = await startSync();
    h.org.updateRecord('Task', salesforceTaskOf(first!), { Status: 'Completed' });
    await eventually(async () => (await status(first!)) === 'completed');
    await a.stop();
    h.org.updateRecord('Task', salesforceTaskOf(second!), { Status: 'Completed' });
    h.org.advanceClock(73 * 3600_000); // the org purges the events of more than 72 hours ago
    const stale = (await replayIds()).map((r) => r.replay_id.toString('hex'));
    const b = startSalesforceSync(h.deps, TEN_MINUTES, { pubsub: { address: h.org.pubsubAddress!, tls: false } });
    loops.push(b);
    await eventually(() => h.logLines.some((l) => l.includes('stored replay id no longer valid')));
    // Missed nothing: the Task completed while the subscriber was away is completed by the poll's catch-up.
    await eventually(async () => (await status(second!)) === 'completed');
    expect(appliedFor(salesforceTaskOf(second!))).toEqual([]);
    // Then it streams again, from the latest event.
    await eventually(
      async () => b.status.mode === 'stream' && (await replayIds()).every((r) => !stale.includes(r.replay_id.toString('hex'))),
    );
    h.org.updateRecord('Task', salesforceTaskOf(third!), { Status: 'Completed' });
    await eventually(async () => (await status(third!)) === 'completed' && appliedFor(salesforceTaskOf(third!)).length > 0);
    expect(appliedFor(salesforceTaskOf(third!))).toHaveLength(1);
  });

  it('an org without Change Data Capture for Task runs in poll mode: the poll at every interval, /readyz says so', async () => {
    h = await startHarness({ pubsubKeepaliveMs: 50, changeDataCapture: ['Opportunity'] });
    h.deps.syncStatus = new SyncStatus();
    const loop = startSalesforceSync(h.deps, TEN_MINUTES, {
      runAtStart: false,
      pubsub: { address: h.org.pubsubAddress!, tls: false },
      status: h.deps.syncStatus,
    });
    loops.push(loop);
    await loop.runOnce();
    await eventually(() => h.deps.syncStatus!.channels.get('/data/TaskChangeEvent')?.state === 'down');
    const ready = await h.api('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.salesforceSync).toMatchObject({
      mode: 'poll',
      channels: { '/data/TaskChangeEvent': { state: 'down', error: expect.stringMatching(/not found|not enabled/i) } },
    });
    // Poll mode: every run of the loop polls (here two runs, two completion queries).
    const mark = h.org.requests.length;
    await loop.runOnce();
    await loop.runOnce();
    expect(pollQueries(mark).filter((r) => /FROM Task/.test(r.soql!))).toHaveLength(2);
  });

  it('in stream mode the poll runs only as the catch-up, and /readyz says stream', async () => {
    h = await startHarness({ pubsubKeepaliveMs: 50 });
    h.deps.syncStatus = new SyncStatus();
    const loop = startSalesforceSync(h.deps, TEN_MINUTES, {
      pubsub: { address: h.org.pubsubAddress!, tls: false },
      status: h.deps.syncStatus,
    });
    loops.push(loop);
    await loop.runOnce();
    // Streaming, and each channel's position stored (from a keepalive): what the replay-age metric reads.
    await eventually(async () => loop.status.mode === 'stream' && (await replayIds()).length === 2);
    expect((await h.api('GET', '/readyz')).body.salesforceSync).toMatchObject({ mode: 'stream' });
    const metrics = (await h.api('GET', '/metrics')).text;
    expect(metrics).toMatch(/^rap_salesforce_sync_mode\{mode="stream"\} 1$/m);
    expect(metrics).toMatch(/^rap_salesforce_replay_id_age_seconds\{channel="\/data\/TaskChangeEvent"\} [\d.e+-]+$/m);
    expect(metrics).toContain('# TYPE rap_salesforce_change_lag_seconds histogram');
    const mark = h.org.requests.length;
    await loop.runOnce();
    await loop.runOnce();
    expect(pollQueries(mark)).toEqual([]);
  });
});
