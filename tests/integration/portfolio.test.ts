// The book of renewals (issue 16): GET /api/portfolio through the real jsforce client against the org emulator
// and the real PostgreSQL server, with a manager, a team and a private record.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDays } from '../../service/src/calendar/dates.ts';
import { DEMO_IDS, loadDemoSeed } from '../../dev/demo-seed/index.ts';
import { startHarness, TODAY, type Harness } from '../../testkit/harness.ts';
import { operationsOf } from '../../testkit/salesforce-calls.ts';

const { users, opportunities: opp } = DEMO_IDS;
const TAYLOR = '0055e0000000005AAA'; // manages Jordan and Morgan
const MORGAN_PRIVATE = '0065e0000000005AAA'; // Morgan's own renewal, shared with no one

function seed() {
  const demo = loadDemoSeed();
  return {
    ...demo,
    // The manager first: a seed loads records in order, and a lookup must find its record.
    User: [
      {
        Id: TAYLOR,
        FirstName: 'Taylor',
        LastName: 'Brooks',
        Title: 'Director, Customer Success',
        Username: 'taylor.brooks@rap-demo.example',
        Email: 'taylor.brooks@example.com',
        IsActive: true,
        ProfileId: '00e5e0000000002AAA',
      },
      ...demo.User!.map((u) => (u.Id === users.jordanLee || u.Id === users.morganDiaz ? { ...u, ManagerId: TAYLOR } : u)),
    ],
    Opportunity: [
      ...demo.Opportunity!,
      {
        Id: MORGAN_PRIVATE,
        Name: 'Umbrella Corp — FY27 Renewal',
        OwnerId: users.morganDiaz,
        Type: 'Renewal',
        StageName: 'Discovery',
        Amount: 50000,
        CloseDate: { daysFromToday: 40 },
      },
    ],
    // Taylor sees one of Jordan's renewals (shared), none of Morgan's: a manager is not above the team in a role
    // hierarchy here, so only sharing decides.
    shares: [{ userId: TAYLOR, recordId: opp.acme, access: 'Read' as const }],
  };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: seed() });
});
afterAll(() => h.close());
beforeEach(() => {
  h.org.resetRequests();
  h.dbStatements.length = 0;
});

// The statements the portfolio sends: the authentication's own (the signed assertion's jti, recorded once) aside.
const portfolioStatements = () => h.dbStatements.filter((s) => !s.includes('assertion_jtis'));
const get = (query: string, user: string = users.jordanLee) => h.api('GET', `/api/portfolio${query}`, undefined, { user });
const names = (body: { rows: { name: string }[] }) => body.rows.map((r) => r.name.split(' — ')[0]);

describe('GET /api/portfolio', () => {
  it("lists the user's open renewals by days to renewal, with stage, plan status and risk flags", async () => {
    const res = await get('');
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['Globex Manufacturing', 'Northwind Health', 'Acme Logistics', 'Initech Software']);
    const acme = res.body.rows.find((r: { opportunityId: string }) => r.opportunityId === opp.acme);
    expect(acme).toMatchObject({
      account: { name: 'Acme Logistics' },
      owner: { id: users.jordanLee, name: 'Jordan Lee' },
      amount: 265000,
      renewalDate: addDays(TODAY, 165),
      daysToRenewal: 165,
      stage: { id: 'Discovery' },
      planStatus: 'none',
      openTasks: 0,
      lastEngagement: addDays(TODAY, -12),
    });
    expect(acme.risks).toEqual([{ flag: 'no-economic-buyer', reason: 'No contact role is the Economic Buyer' }]);
    expect(res.body.rows.map((r: { stage: { id: string } }) => r.stage.id)).toEqual(['Critical', 'Negotiate', 'Discovery', 'Monitor']);
    expect(res.body.nextCursor).toBeNull();
  });

  it("reads a page of the user's own book with one Salesforce query and one database query", async () => {
    await get('?pageSize=2'); // the user's field access is read once per cache lifetime (see the team's book below)
    h.org.resetRequests();
    h.dbStatements.length = 0;
    const res = await get('?pageSize=2');
    expect(res.status).toBe(200);
    const ops = operationsOf(h.org.requests);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.soql).toMatch(/FROM Opportunity WHERE OwnerId = '0055e0000000001AAA' AND IsClosed = false AND Type = 'Renewal'/);
    expect(portfolioStatements()).toHaveLength(1);
    expect(portfolioStatements()[0]).toMatch(/FROM workflow_executions/);
  });

  it("reads a page of a team's book with one Salesforce query, one UserRecordAccess query and one database query", async () => {
    // A user's first page in the field access cache's lifetime also reads their field-level security (three queries).
    expect((await get('?owner=team&pageSize=2', TAYLOR)).status).toBe(200);
    const fieldAccess = operationsOf(h.org.requests).filter((o) =>
      /FROM (User|PermissionSetAssignment|FieldPermissions) WHERE/.test(o.soql ?? ''),
    );
    expect(fieldAccess).toHaveLength(3);
    h.org.resetRequests();
    h.dbStatements.length = 0;
    const res = await get('?owner=team&pageSize=2', TAYLOR);
    expect(res.status).toBe(200);
    const ops = operationsOf(h.org.requests);
    expect(ops).toHaveLength(2);
    expect(ops.filter((o) => /FROM Opportunity WHERE Owner.ManagerId/.test(o.soql ?? ''))).toHaveLength(1);
    expect(ops.filter((o) => /FROM UserRecordAccess WHERE UserId = '0055e0000000005AAA'/.test(o.soql ?? ''))).toHaveLength(1);
    expect(portfolioStatements()).toHaveLength(1);
  });

  it('pages with a cursor: the pages put together are the whole book in order, each page one query of each kind', async () => {
    for (const sort of ['daysToRenewal', '-daysToRenewal', 'amount', '-amount', 'stage'] as const) {
      const whole = (await get(`?sort=${sort}`)).body.rows.map((r: { opportunityId: string }) => r.opportunityId);
      const paged: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        h.org.resetRequests();
        h.dbStatements.length = 0;
        const res = await get(`?sort=${sort}&pageSize=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(operationsOf(h.org.requests)).toHaveLength(1);
        expect(portfolioStatements()).toHaveLength(1);
        paged.push(...res.body.rows.map((r: { opportunityId: string }) => r.opportunityId));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(paged, sort).toEqual(whole);
      expect(whole).toHaveLength(4);
    }
    const amounts = (await get('?sort=-amount')).body.rows.map((r: { amount: number }) => r.amount);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const days = (await get('?sort=-daysToRenewal')).body.rows.map((r: { daysToRenewal: number }) => r.daysToRenewal);
    expect(days).toEqual([220, 165, 75, 10]);
  });

  it('filters by stage and by risk flag', async () => {
    expect(names((await get('?stage=Negotiate')).body)).toEqual(['Northwind Health']);
    expect(names((await get('?stage=Overdue')).body)).toEqual([]);
    const noBuyer = (await get('?risk=no-economic-buyer')).body;
    expect(noBuyer.rows.length).toBeGreaterThan(0);
    expect(noBuyer.rows.every((r: { risks: { flag: string }[] }) => r.risks.some((f) => f.flag === 'no-economic-buyer'))).toBe(true);
    expect(names(noBuyer)).not.toContain('Northwind Health');
    const byRisk = (await get('?sort=risk')).body.rows.map((r: { risks: unknown[] }) => r.risks.length);
    expect(byRisk).toEqual([...byRisk].sort((a, b) => b - a));
  });

  it('follows plan state: finalized, then overdue and failed tasks, then a moved renewal date needs a re-plan', async () => {
    const { executionId } = await h.finalizedPlan(opp.acme);
    const row = async () => (await get('')).body.rows.find((r: { opportunityId: string }) => r.opportunityId === opp.acme);
    const finalized = await row();
    expect(finalized.planStatus).toBe('finalized');
    expect(finalized.openTasks).toBeGreaterThan(0);
    expect(finalized.overdueTasks).toBe(0);

    await h.sql`UPDATE workflow_tasks SET due_date = ${addDays(TODAY, -3)} WHERE id = (
                  SELECT id FROM workflow_tasks WHERE execution_id = ${executionId} AND owner = 'CSM' AND parent_task_id IS NULL LIMIT 1)`;
    await h.sql`UPDATE workflow_tasks SET execution_status = 'failed' WHERE id = (
                  SELECT id FROM workflow_tasks WHERE execution_id = ${executionId} AND owner = 'AI' LIMIT 1)`;
    const late = await row();
    expect(late.overdueTasks).toBe(1);
    expect(late.failedAiTasks).toBe(1);
    expect(late.risks.map((f: { flag: string }) => f.flag)).toEqual(['no-economic-buyer', 'overdue-tasks', 'ai-tasks-failed']);
    expect(late.risks[1].reason).toBe('1 CSM task overdue');

    h.org.updateRecord('Opportunity', opp.acme, { CloseDate: addDays(TODAY, 100) });
    const moved = await row();
    expect(moved.planStatus).toBe('needs-replan');
    expect(moved.stage.id).toBe('Engage');
    expect(moved.risks).toContainEqual({
      flag: 'renewal-date-moved',
      reason: `The renewal date moved from ${addDays(TODAY, 165)} to ${addDays(TODAY, 100)} since the plan was finalized`,
    });
    h.org.updateRecord('Opportunity', opp.acme, { CloseDate: addDays(TODAY, 165) });
  });
});

describe('who sees what', () => {
  it("shows a manager's team only the records the manager can see, never a private one", async () => {
    const team = await get('?owner=team', TAYLOR);
    expect(team.status).toBe(200);
    expect(team.body.rows.map((r: { opportunityId: string }) => r.opportunityId)).toEqual([opp.acme]);
    const found = operationsOf(h.org.requests).find((o) => /FROM Opportunity WHERE/.test(o.soql ?? ''));
    expect(found?.soql).toContain(`Owner.ManagerId = '${TAYLOR}'`);
    // The integration user's query finds Jordan's four and Morgan's one; UserRecordAccess lets only the shared one through.
    const unfiltered = await h.deps.salesforce.portfolioPage({
      userId: TAYLOR,
      owner: 'team',
      renewals: "Type = 'Renewal'",
      orderBy: 'renewal',
      offset: 0,
      limit: 10,
      today: TODAY,
    });
    expect(unfiltered.map((o) => o.id).sort()).toEqual([opp.acme, opp.northwind, opp.globex, opp.initech, MORGAN_PRIVATE].sort());
    expect((await get('?owner=me', TAYLOR)).body.rows).toEqual([]);
  });

  it("gives a user who manages no one an empty team, and never another user's private renewal", async () => {
    expect((await get('?owner=team')).body).toEqual({ rows: [], nextCursor: null, withheld: [] });
    const jordan = (await get('?pageSize=200')).body.rows.map((r: { opportunityId: string }) => r.opportunityId);
    expect(jordan).not.toContain(MORGAN_PRIVATE);
    const morgan = (await get('', users.morganDiaz)).body.rows.map((r: { opportunityId: string }) => r.opportunityId);
    expect(morgan).toEqual([MORGAN_PRIVATE]);
  });
});

describe('bad input', () => {
  it.each([
    ['?owner=everyone', 'query.owner'],
    ['?stage=Later', 'query.stage'],
    ['?risk=bad-vibes', 'query.risk'],
    ['?sort=name', 'query.sort'],
    ['?pageSize=0', 'query.pageSize'],
    ['?pageSize=201', 'query.pageSize'],
    ['?cursor=nonsense', 'query.cursor'],
  ])('%s answers 400 naming %s', async (query, path) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('refuses a cursor of another query', async () => {
    const first = await get('?pageSize=1');
    const res = await get(`?pageSize=1&sort=amount&cursor=${first.body.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('query.cursor');
  });

  it('is described in the OpenAPI document with every parameter', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
    };
    const params = doc.paths['/api/portfolio']?.get?.parameters ?? [];
    expect(params.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(['owner', 'stage', 'risk', 'sort', 'pageSize', 'cursor']);
  });

  it('needs the service key and a user', async () => {
    expect((await h.api('GET', '/api/portfolio', undefined, { key: null })).status).toBe(401);
  });
});
