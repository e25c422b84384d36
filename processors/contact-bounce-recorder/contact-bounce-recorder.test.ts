import { describe, expect, it } from 'vitest';
import { plannableProcessors } from '../registry.ts';
import type { ProcessorContext } from '../port.ts';
import { contactBounceRecorder as recorder } from './index.ts';

const input = {
  contactId: '0035e0000000003AAA',
  contactName: 'Priya Patel',
  email: 'priya.patel@acmelogistics.example',
  bouncedAt: '2026-11-25T12:00:00.000Z',
  reason: '550 5.1.1 user unknown',
};

/** A Salesforce port over two records, recording the updates. */
function context(contact: { AccountId: string; Email: string }) {
  const updates: Record<string, unknown>[] = [];
  const ctx = {
    task: { opportunityId: '0065e0000000001AAA' },
    services: {
      salesforce: {
        query: async (soql: string) =>
          soql.includes('FROM Opportunity')
            ? [{ Id: '0065e0000000001AAA', AccountId: '0015e0000000001AAA' }]
            : [{ Id: input.contactId, ...contact }],
        updateRecord: async (_type: string, fields: Record<string, unknown>) => void updates.push(fields),
      },
    },
  } as unknown as ProcessorContext;
  return { ctx, updates };
}

describe('contact-bounce-recorder', () => {
  it('is proposed by the engagement rules only: no plan may name it, and it needs approval', () => {
    expect(plannableProcessors()).not.toContain('contact-bounce-recorder');
    expect(recorder.writesFields).toBe(true);
    expect(recorder.changePreview(input, {} as never).fields.map((f) => `${f.object}.${f.field} → ${f.newValue}`)).toEqual([
      'Contact.EmailBouncedReason → 550 5.1.1 user unknown',
      'Contact.EmailBouncedDate → 2026-11-25T12:00:00.000Z',
    ]);
  });

  it('records the bounce on a contact of the account whose address is still the one that bounced', async () => {
    const { ctx, updates } = context({ AccountId: '0015e0000000001AAA', Email: input.email });
    await recorder.run(input, ctx);
    expect(updates).toEqual([{ Id: input.contactId, EmailBouncedReason: input.reason, EmailBouncedDate: input.bouncedAt }]);
  });

  it('refuses a contact of another account, and one whose address changed since', async () => {
    const other = context({ AccountId: '0015e0000000009AAA', Email: input.email });
    await expect(recorder.run(input, other.ctx)).rejects.toMatchObject({ code: 'WRONG_ACCOUNT' });
    const changed = context({ AccountId: '0015e0000000001AAA', Email: 'priya@new.example' });
    await expect(recorder.run(input, changed.ctx)).rejects.toMatchObject({ code: 'EMAIL_CHANGED' });
    expect([...other.updates, ...changed.updates]).toEqual([]);
  });
});
