import { describe, expect, it } from 'vitest';
import { discoveryContext } from '../../service/src/plan/discovery.fixture.ts';
import { toId18 } from '../../service/src/salesforce/ids.ts';
import { emailEngagementTracker as tracker } from './index.ts';

const input = {
  emailId: toId18('00T000000000007')!,
  emailSubject: 'Renewal proposal',
  sentTo: 'e@acme.example',
  trackOpens: true,
  trackClicks: false,
  notifyOnOpen: true,
};

/** The fixture's context with one sent email to Eric Estrada. */
function withSentEmail() {
  const ctx = discoveryContext();
  ctx.activities.push({
    ...ctx.activities[0]!,
    id: input.emailId,
    subject: input.emailSubject,
    subtype: 'Email',
    whoId: '003000000000002AAA',
  } as never);
  return ctx;
}

describe('email-engagement-tracker', () => {
  it('is offered only when the context has a sent email to a contact of the account', () => {
    expect(tracker.groundable!(discoveryContext())).toBe(false);
    expect(tracker.groundable!(withSentEmail())).toBe(true);
  });

  it('tracks only a sent email of the context, to the contact it was sent to', () => {
    const ctx = withSentEmail();
    expect(tracker.groundingErrors!(input, ctx)).toEqual([]);
    expect(tracker.groundingErrors!({ ...input, emailId: '00T000000000001AAA' }, ctx)).toEqual([
      "emailId 00T000000000001AAA is not a sent email (an Email activity) in this opportunity's CRM context",
    ]);
    expect(tracker.groundingErrors!({ ...input, sentTo: 'someone@elsewhere.example' }, ctx)).toEqual([
      `email ${input.emailId} was sent to e@acme.example, not someone@elsewhere.example`,
    ]);
  });

  it('writes no Salesforce field, so a model proposing it needs no approval', () => {
    expect(tracker.writesFields).toBe(false);
    expect(tracker.changePreview(input, discoveryContext()).fields).toEqual([
      {
        object: 'Task',
        recordId: null,
        recordName: null,
        field: 'Subject',
        oldValue: null,
        newValue: 'Email engagement: Renewal proposal (e@acme.example)',
      },
    ]);
  });
});
