// A plan made under one user's field access, read by another who may read less (a manager, a teammate): the stored
// plan, its step analyses and its tasks are masked for the second viewer, not shown as stored. Alex (System
// Administrator, every field) starts and plans the Acme renewal; Jordan's profile then loses Read on
// Opportunity.Amount and Contact.Email (FieldPermissions rows deleted through jsforce). Real PostgreSQL, the local
// Salesforce org emulator (not Salesforce) through jsforce, the built-in playbook planner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../dev/demo-seed/index.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

/** Every spelling of the Acme amount (265,000) a plan could carry, and the +6.9% increase over the ARR it implies. */
const AMOUNT_SPELLINGS = ['265000', '265,000', '265k', '6.9%'];

describe('a stored plan shown to a viewer with less field access than its author', () => {
  let h: Harness;
  let executionId: string;
  let acmeEmails: string[];
  const alex = () => ({ user: h.users['Alex Admin']! });
  const jordan = () => ({ user: h.users['Jordan Lee']! });

  beforeAll(async () => {
    h = await startHarness();
    acmeEmails = h.org
      .records('Contact')
      .filter((c) => c.AccountId === DEMO_IDS.accounts.acme)
      .map((c) => String(c.Email));
    const started = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId }, alex());
    expect(started.status).toBe(201);
    executionId = started.body.execution.id;
    expect((await h.api('POST', `/api/workflows/executions/${executionId}/action-plan/generate`, undefined, alex())).status).toBe(201);
    expect(await h.withholdFromStandardUser(['Opportunity.Amount', 'Contact.Email'])).toHaveLength(2);
    h.passFieldAccessCache();
  });
  afterAll(async () => h?.close());

  const planPath = () => `/api/workflows/executions/${executionId}/action-plan`;

  it('shows the author the plan as stored, with the amount (what makes the masking below mean something)', async () => {
    const text = (await h.api('GET', planPath(), undefined, alex())).text;
    expect(text).toContain('265,000');
    expect(text).toContain('+6.9%');
  });

  it('masks the amount, what is derived from it and the emails in the plan, the steps, the tasks and the feed for Jordan', async () => {
    // Alex finalizes with an edit that puts the amount in a task Jordan owns (and in the calendar feed's event).
    const finalized = await h.api(
      'POST',
      `${planPath()}/finalize`,
      { edits: [{ key: 'csm-1', description: 'Open with the renewal at $265,000 and ask Sarah (s.chen@acme.example) to join.' }] },
      alex(),
    );
    expect(finalized.status).toBe(200);
    const alexTasks = (await h.api('GET', `/api/workflows/tasks?execution_id=${executionId}&limit=200`, undefined, alex())).text;
    expect(alexTasks).toContain('$265,000');
    const feed = await h.api('POST', '/api/calendar/feed', undefined, jordan());
    expect(feed.status).toBe(201);
    const seen = {
      planView: (await h.api('GET', planPath(), undefined, jordan())).text,
      executionView: (await h.api('GET', `/api/workflows/executions/${executionId}`, undefined, jordan())).text,
      taskList: (await h.api('GET', `/api/workflows/tasks?execution_id=${executionId}&limit=200`, undefined, jordan())).text,
      // Unfolded (RFC 5545 §3.1 folds lines at 75 octets, which could split a value and hide it from the checks).
      calendarFeed: (await (await h.app.request(new URL(feed.body.url).pathname)).text()).replace(/\r?\n[ \t]/g, ''),
    };
    expect(seen.calendarFeed).toContain('DESCRIPTION:Open with the renewal at [withheld] and ask Sarah ([withheld]) to join.');
    for (const [where, text] of Object.entries(seen)) {
      for (const spelling of AMOUNT_SPELLINGS) expect(text, `${spelling} in ${where}`).not.toContain(spelling);
      for (const email of [...acmeEmails, 's.chen@acme.example']) expect(text, `${email} in ${where}`).not.toContain(email);
    }
    expect(JSON.parse(seen.planView).plan.withheld).toEqual([
      { field: 'Opportunity.Amount', label: 'Amount', message: 'Amount is not visible to you' },
      { field: 'Contact.Email', label: "Contacts' email addresses", message: "Contacts' email addresses is not visible to you" },
    ]);
    expect(seen.taskList).toContain('Open with the renewal at [withheld] and ask Sarah ([withheld]) to join.');
    // What Jordan may read stays: the ARR and the contacts' names.
    expect(seen.planView).toContain('248,000');
    expect(seen.planView).toContain('Sarah Chen');
  });

  it('keeps the two readers apart in the rendered-view cache and the ETag', async () => {
    const forAlex = await h.api('GET', planPath(), undefined, alex());
    const forJordan = await h.api('GET', planPath(), undefined, jordan());
    expect(forAlex.text).toContain('265,000');
    expect(forJordan.text).not.toContain('265,000');
    const alexTag = forAlex.headers.get('etag');
    expect(alexTag).toBeTruthy();
    const jordanRes = await h.api('GET', planPath(), undefined, { ...jordan(), headers: { 'if-none-match': alexTag! } });
    // Alex's ETag is not Jordan's: a cached copy of Alex's view is never confirmed to Jordan.
    expect(jordanRes.status).toBe(200);
    expect(jordanRes.text).not.toContain('265,000');
    // Jordan's own ETag does confirm Jordan's copy.
    const again = await h.api('GET', planPath(), undefined, { ...jordan(), headers: { 'if-none-match': forJordan.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});
