import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** `npm run demo` runs (an embedded PostgreSQL server, the org emulator, the playbook planner) and tells every part of the story. */
describe('npm run demo', () => {
  it('prints each step, every plan section, finalize, the AI tasks and the next workflow', async () => {
    const env = { ...process.env, OPENAI_API_KEY: '', TODAY: '' };
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/demo.ts', '--today', '2026-11-25'], {
      env,
      timeout: 120_000,
      maxBuffer: 4 * 1024 * 1024,
    });
    const sections = [
      'DISCOVERY WORKFLOW DEMO',
      'Step 1: CSM Assessment ✓',
      'Step 2: Contract Analysis ✓',
      'Step 3: Pricing Strategy ✓',
      'Step 4: Stakeholder Mapping ✓',
      'Step 5: Recommendations ✓',
      'Step 6: ACTION PLAN (draft v1, playbook planner)',
      'Process Completed',
      'Key Decisions',
      'Key Metrics',
      'AI Tasks (',
      'CSM Tasks (',
      'Timeline',
      'Next Workflow',
      'FINALIZE',
      'AI Tasks Executing',
      'The CFO Meeting Booked',
      'Next Workflow Scheduled',
      'CUSTOMER ENGAGEMENT',
      "Renewal Portfolio (Jordan Lee's book, soonest first)",
      'Globex Manufacturing — FY27 Renewal: 10 days (Critical)',
      'Northwind Health — FY27 Renewal: 75 days (Negotiate)',
      'Acme Logistics — FY27 Renewal: 165 days (Discovery), $265,000; plan finalized',
      'Initech Software — FY27 Renewal: 220 days (Monitor)',
      'DEMO COMPLETE',
    ];
    let at = -1;
    for (const s of sections) {
      const i = stdout.indexOf(s, at + 1);
      expect(i, `section "${s}" in order`).toBeGreaterThan(at);
      at = i;
    }
    expect(stdout).toContain('Stage: Discovery (165 days to renewal on 2027-05-09, low urgency)');
    expect(stdout).toContain('8/10 relationship, 7/10 confidence; 2 risks noted');
    expect(stdout).toContain('No auto-renewal; notice 90 days (deadline 2027-02-08); cap 7%');
    expect(stdout).toContain('$265,000 target (+6.9% on $248,000 ARR), cap 7%');
    expect(stdout).toContain('CRITICAL: Economic buyer (CFO) not engaged');
    expect(stdout).toMatch(/□ Ask Eric Estrada for an introduction/);
    expect(stdout).toMatch(/\[Customer\] Customer confirms priorities/);
    expect(stdout).toContain('Prepare Renewal (Prepare) starts 2026-12-18');
    expect(stdout).toMatch(
      /Plan finalized: \d+ AI tasks? queued, \d+ CSM tasks? created; Salesforce Tasks mirrored: \d+ \(pending 0, failed 0\)/,
    );
    expect(stdout).toMatch(/Update primary contact to Eric Estrada \[salesforce-contact-updater\]/);
    // The CFO meeting: three slots in New York business hours, the first booked as an Event, and the feed's URL.
    expect(stdout.match(/slot: \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(America\/New_York\)/g)).toHaveLength(3);
    expect(stdout).toMatch(/✓ Meeting "Engage the economic buyer \(CFO\)" booked .* Salesforce Event 00U/);
    expect(stdout).toMatch(/calendar feed \(subscribe in Google Calendar or Outlook\): http\S+\/calendar\/[A-Za-z0-9_-]{43}\.ics/);
    // The team and the dependency: the executive sponsor owns the CFO task, the reminder waits for it, then runs.
    expect(stdout).toContain('owner: Riley Park (Executive Sponsor, opportunity team)');
    expect(stdout).toContain(
      'owner: Jordan Lee (opportunity owner, in place of a Renewal Manager) — No Renewal Manager on the opportunity or account team: assigned to the owner',
    );
    expect(stdout).toContain(
      '⏸ Remind the CSM to follow up on the CFO meeting request [follow-up-reminder-creator] → waits for: Engage the economic buyer (CFO)',
    );
    // Its sub-tasks are ticked before the parent is completed.
    expect(stdout).toMatch(
      /✓ Research the CFO and current finance priorities\n(.*\n)*\s+✓ Engage the economic buyer \(CFO\) completed by Riley Park/,
    );
    expect(stdout).toContain('✓ Remind the CSM to follow up on the CFO meeting request → success');
    expect(stdout).toMatch(/\(Prepare\) scheduled for 2026-12-18/);
    // The usage report goes unopened; Thanksgiving and the weekend are not business days, so the follow-up comes Dec 1.
    expect(stdout).toContain('2026-11-30: 2 business days without an open — nothing yet');
    expect(stdout).toMatch(
      /Follow-up: No reply from Eric Estrada to "Q3 usage report": call Eric — due 2026-12-02, Salesforce Task 00T\w+/,
    );
    expect(stdout).toContain('Why: created because the email sent on Nov 25 had no open after 3 business days');
    expect(stdout).toContain('⚑ No customer engagement in 45 days (last on 2026-10-11)');
    expect(stdout).toContain('⚑ No finalized plan with 75 days to renewal');
  }, 150_000);
});
