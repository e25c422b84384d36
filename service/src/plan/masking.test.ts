import { describe, expect, it } from 'vitest';
import { discoveryContext } from './discovery.fixture.ts';
import { ModelMasking } from './masking.ts';

describe('ModelMasking', () => {
  it('replaces names, name parts, emails and phone numbers by stable placeholders', () => {
    const masking = new ModelMasking(discoveryContext());
    const text =
      'Call with Sarah Chen (s@acme.example, +1 312 555 0142); Sarah moves on, Eric Estrada takes over. Ask JORDAN LEE. Budget 265000 on 2026-12-01.';
    expect(masking.mask(text)).toBe(
      'Call with [CONTACT_1] ([EMAIL_2], [PHONE_1]); [CONTACT_1_1] moves on, [CONTACT_2] takes over. Ask [USER_1]. Budget 265000 on 2026-12-01.',
    );
    expect(new ModelMasking(discoveryContext()).mask(text)).toBe(masking.mask(text));
    expect(masking.masked).toMatchObject({
      '[CONTACT_1]': 'contact name',
      '[CONTACT_1_1]': 'part of a contact name',
      '[EMAIL_2]': 'email',
      '[PHONE_1]': 'phone number',
    });
    expect(JSON.stringify(masking.masked)).not.toMatch(/Sarah|acme|555/);
  });

  it('maps an answer back at any depth, leaving unknown placeholders as they are', () => {
    const masking = new ModelMasking(discoveryContext());
    masking.mask('+1 312 555 0142');
    expect(masking.unmask({ a: ['Meet [CONTACT_2] and [CONTACT_1_1]', 3], b: '[PHONE_1] / [EMAIL_9]' })).toEqual({
      a: ['Meet Eric Estrada and Sarah', 3],
      b: '+1 312 555 0142 / [EMAIL_9]',
    });
  });

  it('masks a surname only with its capital, and names in scripts without spaces as substrings', () => {
    const ctx = discoveryContext();
    ctx.contactRoles[0]!.contact.name = 'Olivia Grant';
    ctx.contactRoles[1]!.contact.name = '太郎 山田';
    const masking = new ModelMasking(ctx);
    expect(masking.mask('Grant asked for a grant. 山田様との打ち合わせ')).toBe(
      '[CONTACT_1_2] asked for a grant. [CONTACT_2_2]様との打ち合わせ',
    );
  });
});
