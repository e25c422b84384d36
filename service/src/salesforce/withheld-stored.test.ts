import { describe, expect, it } from 'vitest';
import { discoveryContext } from '../plan/discovery.fixture.ts';
import { contextReadableBy } from './withheld.ts';
import { maskStoredOutput } from './withheld-stored.ts';

const allBut = (...hidden: string[]) => ({ canRead: (field: string) => !hidden.includes(field) });

/** A stored output as a plan made with the Acme amount (265,000) and ARR (248,000) in sight could read. */
const output = () => ({
  summary: {
    headline: 'Renew at $265,000 (+6.9%) before the notice period of 60 days ends; ARR today $248,000.',
    keyMetrics: [
      { label: 'Renewal target', value: '$265k' },
      { label: 'Current ARR', value: '$248k' },
      { label: 'Target price', value: '$278,250 (265000 plus 5 %)' },
    ],
  },
  aiTasks: [{ key: 'ai-1', action: 'Email Sarah Chen (s@acme.example) about the renewal', amount: 265000, days: 60 }],
  opportunity: 'Acme Logistics — FY27 Renewal',
});

describe('maskStoredOutput', () => {
  it('shows the output as stored to a viewer who reads every field it was made with', () => {
    expect(maskStoredOutput(discoveryContext(), allBut())).toBeNull();
  });

  it('masks a hidden amount in every spelling and every figure derived from it, and keeps the ARR the viewer reads', () => {
    const mask = maskStoredOutput(discoveryContext(), allBut('Opportunity.Amount'))!;
    const masked = mask.apply(output());
    const text = JSON.stringify(masked);
    for (const spelling of ['265,000', '265000', '265k', '278,250', '6.9%', '5 %']) expect(text).not.toContain(spelling);
    expect(masked.summary.keyMetrics[1]!.value).toBe('$248k');
    expect(masked.summary.headline).toContain('ARR today $248,000');
    expect(masked.aiTasks[0]!.amount).toBeNull();
    // Counts and names are not amounts: they stay.
    expect(masked.aiTasks[0]!.days).toBe(60);
    expect(masked.opportunity).toBe('Acme Logistics — FY27 Renewal');
    expect(mask.withheld).toEqual([{ field: 'Opportunity.Amount', label: 'Amount', message: 'Amount is not visible to you' }]);
  });

  it('masks email addresses when contacts’ emails are hidden, and leaves the names', () => {
    const mask = maskStoredOutput(discoveryContext(), allBut('Contact.Email'))!;
    const masked = mask.apply(output());
    expect(masked.aiTasks[0]!.action).toBe('Email Sarah Chen ([withheld]) about the renewal');
    expect(JSON.stringify(masked)).toContain('$265,000');
  });

  it('masks a hidden text field whole and sentence by sentence, but not a word the viewer reads in a name', () => {
    const ctx = discoveryContext();
    ctx.opportunity.description = 'Budget is frozen until the board meets in March. The CFO wants a three-year term.';
    const mask = maskStoredOutput(ctx, allBut('Opportunity.Description', 'Account.Industry'))!;
    const masked = mask.apply({
      quote: 'From the notes: "The CFO wants a three-year term." Plan for it.',
      name: 'Acme Logistics', // the industry is "Logistics", and every viewer reads the account's name
    });
    expect(masked.quote).toBe('From the notes: "[withheld]" Plan for it.');
    expect(masked.name).toBe('Acme Logistics');
  });

  it('masks a small number only with its unit', () => {
    const ctx = discoveryContext();
    ctx.contract = { noticePeriodDays: 60, autoRenewal: true, priceIncreaseCapPct: null, terminationTerms: null } as never;
    const mask = maskStoredOutput(ctx, allBut('Opportunity.Notice_Period_Days__c'))!;
    expect(mask.apply('Notice: 60 days. Renewal in 60 weeks.')).toBe('Notice: [withheld]. Renewal in 60 weeks.');
  });

  it('has nothing to mask in an output made without the field (its stored context never had the value)', () => {
    const made = contextReadableBy(discoveryContext(), allBut('Opportunity.Amount'));
    expect(maskStoredOutput(made, allBut('Opportunity.Amount'))).toBeNull();
  });
});
