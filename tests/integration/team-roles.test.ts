import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../dev/demo-seed/demo-ids.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

const { users, queues } = DEMO_IDS;
const CFO = 'Engage the economic buyer (CFO)';
const VALUE = 'Document the value delivered against the budget pressure';

/**
 * Tasks owned by team role, through the API and the Salesforce mirror (jsforce against the org emulator, whose demo
 * Acme opportunity has Riley Park as Executive Sponsor, Casey Former (inactive) as Renewal Manager, and Sam Okoro as
 * Technical Sales on the account team).
 */
describe('team roles and queues', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Starts the Discovery workflow, generates its draft and finalizes it; returns the draft and the finalized plan. */
  async function planned(env?: Record<string, string>) {
    h = await startHarness({ env });
    const executionId = (await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId })).body.execution.id;
    const base = `/api/workflows/executions/${executionId}/action-plan`;
    const draft = (await h.api('POST', `${base}/generate`)).body.plan;
    const res = await h.api('POST', `${base}/finalize`, {});
    expect(res.status, res.text).toBe(200);
    return { draft, plan: res.body.plan };
  }
  /** The OwnerId of each mirrored Salesforce Task, read back with jsforce, by plan task id. */
  async function salesforceOwners() {
    const { records } = await h!.deps.salesforce.conn.query<{ OwnerId: string; Action_Plan_Task_Id__c: string; Description: string }>(
      'SELECT OwnerId, Action_Plan_Task_Id__c, Description FROM Task WHERE Action_Plan_Task_Id__c != null',
    );
    return new Map(records.map((r) => [r.Action_Plan_Task_Id__c, r]));
  }
  const csm = (plan: any, action: string) => plan.csmTasks.find((t: any) => t.action === action);

  it('reads both teams with the CRM context in one Salesforce API call', async () => {
    h = await startHarness();
    h.org.resetRequests();
    const context = (await h.deps.salesforce.loadContext(h.discoveryId))!;
    expect(h.org.requests).toHaveLength(1);
    expect(context.team!.opportunity).toEqual([
      { userId: users.caseyFormer, name: 'Casey Former', role: 'Renewal Manager', isActive: false },
      { userId: users.rileyPark, name: 'Riley Park', role: 'Executive Sponsor', isActive: true },
    ]);
    expect(context.team!.account).toEqual([{ userId: users.samOkoro, name: 'Sam Okoro', role: 'Technical Sales', isActive: true }]);
  });

  it('resolves a role to the opportunity team member, a missing one to the owner with a note; Salesforce Tasks owned so', async () => {
    const { draft, plan } = await planned();
    // The approval gate shows who will own each task before finalize.
    expect(csm(draft, CFO).assignee).toEqual({
      id: users.rileyPark,
      name: 'Riley Park',
      role: 'Executive Sponsor',
      source: 'opportunity-team',
      note: null,
    });
    // Casey Former is the Renewal Manager, but inactive: Salesforce would refuse a Task owned by them.
    const fallback = {
      id: users.jordanLee,
      name: 'Jordan Lee',
      role: 'Renewal Manager',
      source: 'owner-fallback',
      note: 'No Renewal Manager on the opportunity or account team: assigned to the owner',
    };
    expect(csm(draft, VALUE).assignee).toEqual(fallback);
    expect(csm(plan, VALUE).assignee).toEqual(fallback);
    expect(csm(plan, CFO).assignee.id).toBe(users.rileyPark);
    const owners = await salesforceOwners();
    expect(owners.get(csm(plan, CFO).taskId)!.OwnerId).toBe(users.rileyPark);
    expect(owners.get(csm(plan, VALUE).taskId)!.OwnerId).toBe(users.jordanLee);
    expect(owners.get(csm(plan, VALUE).taskId)!.Description).toContain(`Owner: ${fallback.note}`);
    // Tasks with no role go to the opportunity owner, as before.
    const others = plan.csmTasks.filter((t: any) => t.assigneeRole === null);
    expect(others.length).toBeGreaterThan(0);
    for (const t of others) expect(owners.get(t.taskId)!.OwnerId).toBe(users.jordanLee);
    // The executor's notifications about a task go to its owner.
    const [row] = await h!.sql`SELECT assignee_user_id FROM workflow_tasks WHERE id = ${csm(plan, CFO).taskId}`;
    expect(row!.assignee_user_id).toBe(users.rileyPark);
  });

  it('falls back to the account team when the opportunity team has no one in the role', async () => {
    const { plan } = await planned({ TEAM_ROLES: JSON.stringify({ 'Renewal Manager': { teamMemberRoles: ['Technical Sales'] } }) });
    expect(csm(plan, VALUE).assignee).toEqual({
      id: users.samOkoro,
      name: 'Sam Okoro',
      role: 'Renewal Manager',
      source: 'account-team',
      note: null,
    });
    expect((await salesforceOwners()).get(csm(plan, VALUE).taskId)!.OwnerId).toBe(users.samOkoro);
  });

  it("gives a role's tasks to its queue when no one holds the role", async () => {
    const { plan } = await planned({
      TEAM_ROLES: JSON.stringify({
        'Executive Sponsor': { teamMemberRoles: ['Executive Sponsor'] },
        'Renewal Manager': { teamMemberRoles: ['Account Manager'], queueId: queues.renewalDesk, queueName: 'Renewal Desk' },
      }),
    });
    expect(csm(plan, VALUE).assignee).toEqual({
      id: queues.renewalDesk,
      name: 'Renewal Desk',
      role: 'Renewal Manager',
      source: 'queue',
      note: 'No Renewal Manager on the opportunity or account team: assigned to the Renewal Desk queue',
    });
    expect((await salesforceOwners()).get(csm(plan, VALUE).taskId)!.OwnerId).toBe(queues.renewalDesk);
    // Notifications about it still go to a person: the opportunity owner.
    const [row] = await h!.sql`SELECT assignee_user_id FROM workflow_tasks WHERE id = ${csm(plan, VALUE).taskId}`;
    expect(row!.assignee_user_id).toBe(users.jordanLee);
  });

  it('reports a queue that cannot own Tasks as Salesforce rejects it, and mirrors the rest', async () => {
    const { plan } = await planned({
      TEAM_ROLES: JSON.stringify({
        'Renewal Manager': { teamMemberRoles: ['Account Manager'], queueId: queues.caseTriage, queueName: 'Case Triage' },
      }),
    });
    const [row] = await h!.sql`SELECT mirror_status, mirror_error FROM workflow_tasks WHERE id = ${csm(plan, VALUE).taskId}`;
    expect(row).toMatchObject({ mirror_status: 'failed' });
    expect(row!.mirror_error).toMatch(/^INVALID_CROSS_REFERENCE_KEY: /);
    expect((await salesforceOwners()).get(csm(plan, CFO).taskId)!.OwnerId).toBe(users.rileyPark);
  });

  it('stops at start with a message naming a bad TEAM_ROLES', async () => {
    await expect(startHarness({ env: { TEAM_ROLES: '{"CSM":{"teamMemberRoles":[],"queueId":"0055e0000000001AAA"}}' } })).rejects.toThrow(
      /TEAM_ROLES: CSM\.teamMemberRoles: .*\n.*TEAM_ROLES: CSM\.queueId: must be a queue id/,
    );
  });
});
