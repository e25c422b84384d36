import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../calendar/business-days.ts';
import { dueActions, type WatchedEmail } from './decide.ts';
import type { EngagementRule } from './rules.ts';

const calendar = new BusinessCalendar('US');
const rule: EngagementRule = {
  noOpenAfterBusinessDays: 3,
  completeOn: ['reply'],
  followUpOn: ['click'],
  followUpDueInBusinessDays: 1,
  onBounce: 'propose-contact-update',
};
const email = (over: Partial<WatchedEmail> = {}): WatchedEmail => ({
  key: 'sendgrid:m1',
  source: 'sendgrid',
  subject: 'Usage report',
  sentTo: 'eric@acme.example',
  // Wednesday before Thanksgiving.
  sentOn: '2026-11-25',
  counts: { open: 0, click: 0, reply: 0, bounce: 0 },
  bounce: { at: null, reason: null },
  stage: 'Discovery',
  opportunityId: '0065e0000000001AAA',
  plan: { id: 'p', executionId: 'e', finalized: true },
  userId: null,
  taskKey: 'track',
  trackingTask: { id: 't', status: 'pending' },
  contact: { id: '0035e0000000002AAA', name: 'Eric Estrada' },
  ...over,
});

describe('dueActions', () => {
  it('counts business days: Thanksgiving and the weekend are skipped, so the follow-up is due on Tuesday Dec 1', () => {
    expect(dueActions(email(), rule, calendar, '2026-11-30')).toEqual([]);
    const [followUp] = dueActions(email(), rule, calendar, '2026-12-01');
    expect(followUp).toMatchObject({
      kind: 'follow-up',
      rule: 'no-open',
      condition: 'after-3-business-days',
      dueDate: '2026-12-02',
      action: 'No reply from Eric Estrada to "Usage report": call Eric',
    });
  });

  it('a follow-up due on a Friday evening lands on the next business day, never on the weekend', () => {
    const [followUp] = dueActions(email({ sentOn: '2026-12-01' }), { ...rule, followUpDueInBusinessDays: 0 }, calendar, '2026-12-05');
    expect(followUp).toMatchObject({ dueDate: '2026-12-07' });
  });

  it('a reply completes the tracking task and suppresses follow-ups; a click follows up where the stage asks', () => {
    expect(dueActions(email({ counts: { open: 1, click: 0, reply: 1, bounce: 0 } }), rule, calendar, '2026-12-01')).toEqual([
      expect.objectContaining({
        kind: 'complete',
        taskId: 't',
        explanation: 'completed because Eric Estrada replied to the email sent on Nov 25',
      }),
    ]);
    expect(dueActions(email({ counts: { open: 1, click: 1, reply: 0, bounce: 0 } }), rule, calendar, '2026-12-01')).toEqual([
      expect.objectContaining({ kind: 'follow-up', rule: 'engaged', condition: 'click' }),
    ]);
  });

  it('a bounce flags and proposes only for a known contact, and does nothing else; ignore means ignore', () => {
    const bounced = email({ counts: { open: 0, click: 0, reply: 0, bounce: 1 } });
    expect(dueActions(bounced, rule, calendar, '2026-12-01')).toEqual([expect.objectContaining({ kind: 'bounce', propose: true })]);
    expect(dueActions({ ...bounced, contact: null }, rule, calendar, '2026-12-01')).toEqual([
      expect.objectContaining({ kind: 'bounce', propose: false }),
    ]);
    expect(dueActions(bounced, { ...rule, onBounce: 'ignore' }, calendar, '2026-12-01')).toEqual([]);
  });

  it('a rule without a threshold never follows up an unopened email', () => {
    expect(dueActions(email(), { ...rule, noOpenAfterBusinessDays: null }, calendar, '2027-01-15')).toEqual([]);
  });
});
