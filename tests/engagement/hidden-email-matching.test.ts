// The engagement rules match an email to its contact by address. A plan made by a CSM who cannot read Contact.Email
// (field-level security) stores its contacts without addresses; the rules then read the contacts' addresses as the
// integration user (matching is the service's work: the CSM is shown the contact's name). Real PostgreSQL, the local
// Salesforce org emulator (not Salesforce) through jsforce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEngagementEvents } from '../../service/src/engagement/engine.ts';
import { discoveryPlan, trackedEmail } from '../../testkit/engagement.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

const PRIYA = 'priya.patel@acmelogistics.example';

describe('engagement matching for a plan made without contacts’ email addresses', () => {
  let h: Harness;
  let plan: { id: string; executionId: string };

  beforeAll(async () => {
    h = await startHarness();
    expect(await h.withholdFromStandardUser(['Contact.Email'])).toHaveLength(1);
    h.passFieldAccessCache();
    plan = (await h.finalizedPlan()).plan;
  });
  afterAll(async () => h?.close());

  it('stores the plan without the addresses Jordan cannot read', async () => {
    const [row] = await h.sql<{ emails: (string | null)[] }[]>`
      SELECT jsonb_agg(r->'contact'->'email') AS emails FROM action_plans p, jsonb_array_elements(p.context->'contactRoles') r
       WHERE p.id = ${plan.id}`;
    expect(row!.emails.length).toBeGreaterThan(0);
    expect(row!.emails.every((e) => e === null)).toBe(true);
  });

  it('still finds the contact a bounced email went to, and proposes updating that contact', async () => {
    await trackedEmail(h.deps, discoveryPlan(h, plan), {
      provider: 'sendgrid',
      emailId: 'b-1',
      subject: 'Renewal',
      sentTo: PRIYA,
      key: 'b-1',
    });
    const [tracking] = await h.sql<{ id: string }[]>`SELECT id FROM email_tracking WHERE email_id = 'b-1'`;
    await h.sql`UPDATE email_tracking SET bounces = 1, bounced_at = now(), bounce_reason = '550 5.1.1 unknown user' WHERE id = ${tracking!.id}`;
    await applyEngagementEvents(h.deps, [tracking!.id]);
    const proposals = await h.sql<{ action: string; contactId: string | null }[]>`
      SELECT action, contact_id AS "contactId" FROM workflow_tasks WHERE plan_task_key = 'b-1-bounce' AND awaiting_approval`;
    expect(proposals).toHaveLength(1);
    const priya = h.org.records('Contact').find((c) => c.Email === PRIYA)!;
    expect(proposals[0]!.action).toContain(String(priya.Name).split(' ')[0]);
  });
});
