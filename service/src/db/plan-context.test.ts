import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../../testkit/harness.ts';
import { planContext } from './plans.ts';

/** The CRM context stored with a plan is parsed when read back, not trusted. */
describe('planContext', () => {
  let h: Harness;
  let planId: string;
  beforeAll(async () => {
    h = await startHarness();
    const { executionId } = await h.finalizedPlan();
    const [plan] = await h.sql<{ id: string }[]>`SELECT id FROM action_plans WHERE execution_id = ${executionId}`;
    planId = plan!.id;
  });
  afterAll(() => h?.close());

  it('reads back the stored snapshot whole (parsing drops nothing the service stored)', async () => {
    const [stored] = await h.sql<{ context: unknown }[]>`SELECT context FROM action_plans WHERE id = ${planId}`;
    expect(await planContext(h.sql, planId)).toEqual(stored!.context);
  });

  it('refuses a snapshot that no longer fits the context type', async () => {
    await h.sql`UPDATE action_plans SET context = jsonb_set(context, '{opportunity,renewalDate}', '42') WHERE id = ${planId}`;
    await expect(planContext(h.sql, planId)).rejects.toThrow(/renewalDate/);
  });
});
