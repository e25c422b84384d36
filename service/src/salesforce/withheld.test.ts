import { describe, expect, it } from 'vitest';
import { discoveryContext } from '../plan/discovery.fixture.ts';
import { readableFieldsOf } from './field-access.ts';
import { contextReadableBy, withheldInput, withheldMessage } from './withheld.ts';

/** Read on every field the context holds but these. */
const allBut = (...hidden: string[]) => ({ canRead: (field: string) => !hidden.includes(field) });

describe('contextReadableBy', () => {
  it('empties a hidden field, lists it as withheld, and leaves the rest and the original context alone', () => {
    const ctx = discoveryContext();
    const before = structuredClone(ctx);
    const mine = contextReadableBy(ctx, allBut('Opportunity.Amount', 'Contact.Email'));
    expect(mine.opportunity.amount).toBeNull();
    expect(mine.contactRoles.every((r) => r.contact.email === null)).toBe(true);
    expect(mine.opportunity.currentArr).toBe(ctx.opportunity.currentArr);
    expect(mine.contactRoles.map((r) => r.contact.name)).toEqual(ctx.contactRoles.map((r) => r.contact.name));
    expect(mine.withheld).toEqual([
      { field: 'Opportunity.Amount', label: 'Amount' },
      { field: 'Contact.Email', label: "Contacts' email addresses" },
    ]);
    expect(withheldMessage(withheldInput(mine, 'Opportunity.Amount')!)).toBe('Amount is not visible to you');
    expect(ctx).toEqual(before);
  });

  it('returns the context unchanged to a user who reads every field', () => {
    const ctx = discoveryContext();
    expect(contextReadableBy(ctx, allBut())).toBe(ctx);
  });

  it('withholds every permissionable field from a user with no field permissions, never Id, Name or the renewal date', () => {
    const ctx = discoveryContext();
    const mine = contextReadableBy(ctx, readableFieldsOf([]));
    expect(mine.opportunity).toMatchObject({
      id: ctx.opportunity.id,
      name: ctx.opportunity.name,
      renewalDate: ctx.opportunity.renewalDate,
    });
    expect(mine.opportunity.amount).toBeNull();
    expect(mine.opportunity.description).toBeNull();
    expect(mine.withheld!.map((w) => w.field)).toContain('Opportunity.Amount');
    expect(JSON.stringify(mine)).not.toContain(String(ctx.opportunity.amount));
  });
});
