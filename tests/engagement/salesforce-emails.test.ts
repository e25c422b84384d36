import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS, loadDemoSeed } from '../../dev/demo-seed/index.ts';
import { loadShape } from '../../dev/org-emulator/index.ts';
import { NO_ENHANCED_EMAIL_NOTE, runEngagementRules } from '../../service/src/engagement/engine.ts';
import { discoveryPlan, onDay, trackedEmail } from '../../testkit/engagement.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

const acme = DEMO_IDS.opportunities.acme;
const sent = (Id: string, fields: Record<string, unknown>) => ({
  Id,
  Subject: 'Usage report',
  ToAddress: 'eric.estrada@acmelogistics.example',
  Status: '3',
  Incoming: false,
  IsTracked: true,
  RelatedToId: acme,
  MessageDate: { daysFromToday: 0, time: '09:00' },
  ...fields,
});
const UNOPENED = '02s5e0000000001AAA';
const OPENED = '02s5e0000000002AAA';
const REPLIED = '02s5e0000000003AAA';
const UNTRACKED = '02s5e0000000004AAA';
const BOUNCED = '02s5e0000000005AAA';

/** Emails the CSM sent from Salesforce (EmailMessage with Enhanced Email's open tracking) follow the same rules. */
describe("engagement rules on Salesforce's own EmailMessage records", () => {
  let h: Harness;
  let plan: { id: string; executionId: string };

  beforeAll(async () => {
    const seed = loadDemoSeed();
    seed.EmailMessage = [
      sent(UNOPENED, {}),
      sent(OPENED, { Subject: 'QBR deck', FirstOpenedDate: { daysFromToday: 0, time: '15:00' } }),
      sent(REPLIED, { Subject: 'Pricing' }),
      {
        Id: '02s5e0000000006AAA',
        Subject: 'RE: Pricing',
        Status: '0',
        Incoming: true,
        RelatedToId: acme,
        ReplyToEmailMessageId: REPLIED,
        MessageDate: { daysFromToday: 0, time: '16:00' },
      },
      sent(UNTRACKED, { Subject: 'Newsletter', IsTracked: false }),
      sent(BOUNCED, { Subject: 'Contract draft', ToAddress: 'priya.patel@acmelogistics.example', IsBounced: true }),
    ];
    h = await startHarness({ today: '2026-11-25', seed });
    plan = (await h.finalizedPlan()).plan;
  });
  afterAll(async () => h?.close());

  const added = () =>
    h.sql<{ key: string; owner: string; explanation: string; awaitingApproval: boolean }[]>`
      SELECT plan_task_key AS key, owner, explanation, awaiting_approval AS "awaitingApproval"
        FROM workflow_tasks WHERE action_plan_id = ${plan.id} AND explanation IS NOT NULL ORDER BY owner, plan_task_key`;

  it('follows up only the tracked email with no open (nor reply) after 3 business days, and proposes a bounce update', async () => {
    await runEngagementRules(onDay(h.deps, '2026-11-30'));
    // Before the third business day only the bounce acts.
    expect((await added()).map((t) => t.key)).toEqual([`email-${BOUNCED}-bounce`]);

    await runEngagementRules(onDay(h.deps, '2026-12-01'));
    expect(await added()).toEqual([
      {
        key: `email-${BOUNCED}-bounce`,
        owner: 'AI',
        awaitingApproval: true,
        explanation:
          'flagged because the email sent on Nov 25 to priya.patel@acmelogistics.example bounced (Salesforce marked the email bounced)',
      },
      {
        key: `email-${UNOPENED}-no-open`,
        owner: 'CSM',
        awaitingApproval: false,
        explanation: 'created because the email sent on Nov 25 had no open after 3 business days',
      },
    ]);
  });

  it('reads only the documented EmailMessage fields, in one query per 200 opportunities plus one for replies', async () => {
    h.org.resetRequests();
    await runEngagementRules(onDay(h.deps, '2026-12-02'));
    const soql = h.org.requests.map((r) => r.soql).filter((q): q is string => !!q && /EmailMessage/.test(q));
    expect(soql).toHaveLength(2);
    expect(soql[0]).toMatch(/^SELECT Id, Subject, ToAddress, MessageDate, FirstOpenedDate, IsBounced, RelatedToId FROM EmailMessage/);
    expect(soql[1]).toMatch(/^SELECT ReplyToEmailMessageId FROM EmailMessage WHERE Incoming = true/);
    // Nothing fires twice.
    expect(await added()).toHaveLength(2);
  });
});

/** An org without Enhanced Email has no EmailMessage (Object Reference: EmailMessage "requires Enhanced Email"). */
describe('in an org without Enhanced Email (the professional shape)', () => {
  it("watches the tracker's emails only: no EmailMessage query, no failure, a note saying why", { timeout: 60_000 }, async () => {
    const shapeFile = fileURLToPath(new URL('../../dev/org-emulator/shapes/professional.json', import.meta.url));
    const h = await startHarness({ today: '2026-11-25', shape: loadShape(shapeFile) });
    try {
      expect(h.deps.salesforce.features.enhancedEmail).toBe(false);
      // The emulator refuses the object as Salesforce does, so a query would fail the read.
      await expect(h.deps.salesforce.conn.query('SELECT Id FROM EmailMessage')).rejects.toMatchObject({ name: 'INVALID_TYPE' });
      const plan = (await h.finalizedPlan(h.discoveryId)).plan;
      await trackedEmail(h.deps, discoveryPlan(h, plan), {
        provider: 'sendgrid',
        emailId: 'sg-no-enhanced-email',
        subject: 'Renewal timeline',
        sentTo: 'someone@example.com',
        key: 'track-no-enhanced-email',
      });
      h.org.resetRequests();
      const run = await runEngagementRules(onDay(h.deps, '2026-12-01'));
      expect(run).toMatchObject({ evaluated: 1, failed: 0, notes: [NO_ENHANCED_EMAIL_NOTE] });
      expect(h.org.requests.filter((r) => /EmailMessage/.test(r.soql ?? ''))).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
