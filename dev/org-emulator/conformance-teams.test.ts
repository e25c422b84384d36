// Local Salesforce org emulator (not Salesforce): the rules a real org enforces for team members and Task owners.
// Each test is one row of the conformance table in README.md (the id in its name).

import type { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OrgEmulator } from './index.ts';
import { DEMO_IDS, startDemoOrg } from '../demo-seed/index.ts';
import { connect, failureOf, statusCodes, TODAY } from './test-support.ts';

const { users, queues, opportunities, accounts } = DEMO_IDS;
let org: OrgEmulator;
let conn: Connection;
beforeEach(async () => {
  org = await startDemoOrg({ today: TODAY });
  conn = connect(org);
});
afterEach(() => org.close());

describe('team members and Task owners', () => {
  it("T1: serves the opportunity team as a child sub-query, with the member's user through User", async () => {
    const { records } = await conn.query<{ OpportunityTeamMembers: { records: Record<string, any>[] } | null }>(
      `SELECT Id, (SELECT UserId, User.Name, User.IsActive, TeamMemberRole FROM OpportunityTeamMembers ORDER BY User.Name) FROM Opportunity WHERE Id = '${opportunities.acme}'`,
    );
    const team = records[0]!.OpportunityTeamMembers!.records.map((m) => [m.UserId, m.User.Name, m.User.IsActive, m.TeamMemberRole]);
    expect(team).toEqual([
      [users.caseyFormer, 'Casey Former', false, 'Renewal Manager'],
      [users.rileyPark, 'Riley Park', true, 'Executive Sponsor'],
    ]);
  });

  it("T2: serves the account team by a semi-join on the opportunity's AccountId (no child sub-query through a parent)", async () => {
    const { records } = await conn.query<Record<string, any>>(
      `SELECT UserId, User.Name, TeamMemberRole, AccountId FROM AccountTeamMember WHERE AccountId IN (SELECT AccountId FROM Opportunity WHERE Id = '${opportunities.acme}')`,
    );
    expect(records.map((r) => [r.AccountId, r.UserId, r.User.Name, r.TeamMemberRole])).toEqual([
      [accounts.acme, users.samOkoro, 'Sam Okoro', 'Technical Sales'],
    ]);
    const nested = await failureOf(
      conn.query(
        `SELECT Id, Account.Name, (SELECT Id FROM Account.AccountTeamMembers) FROM Opportunity WHERE Id = '${opportunities.acme}'`,
      ),
    );
    expect(nested.errorCode).toBe('INVALID_TYPE');
  });

  it('T3: refuses a Task owned by an inactive user (INACTIVE_OWNER_OR_USER)', async () => {
    const err = await failureOf(conn.sobject('Task').create({ Subject: 'Follow up', OwnerId: users.caseyFormer }));
    expect(err.errorCode ?? err.name).toBe('INACTIVE_OWNER_OR_USER');
    expect(err.message).toMatch(/operation performed with inactive user/);
  });

  it('T4: lets a queue that supports Task own a Task, and refuses a queue that does not (per record in a collection)', async () => {
    const results = (await conn.sobject('Task').create(
      [
        { Subject: 'Renewal desk work', OwnerId: queues.renewalDesk },
        { Subject: 'Case triage work', OwnerId: queues.caseTriage },
      ],
      { allOrNone: false },
    )) as unknown as { success: boolean; errors: unknown[] }[];
    expect(results.map((r) => r.success)).toEqual([true, false]);
    expect(statusCodes(results)).toEqual([undefined, 'INVALID_CROSS_REFERENCE_KEY']);
    expect(org.records('Task').find((t) => t.Subject === 'Renewal desk work')!.OwnerId).toBe(queues.renewalDesk);
  });

  it('T5: an opportunity (not queue-ownable) refuses a queue as owner', async () => {
    const err = await failureOf(conn.sobject('Opportunity').update({ Id: opportunities.acme, OwnerId: queues.renewalDesk }));
    expect(err.errorCode ?? err.name).toBe('FIELD_INTEGRITY_EXCEPTION');
  });
});
