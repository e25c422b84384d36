import { describe, expect, it } from 'vitest';
import { discoveryContext } from '../../service/src/plan/discovery.fixture.ts';
import { salesforceContactUpdater as updater } from './index.ts';

const sarah = { name: 'Sarah Chen', salesforceId: '003000000000001AAA' };
const eric = { name: 'Eric Estrada', salesforceId: '003000000000002AAA' };

describe('salesforce-contact-updater', () => {
  it('is grounded only in contacts of the opportunity account', () => {
    const ctx = discoveryContext();
    expect(updater.groundingErrors!({ oldContact: sarah, newContact: eric, updateLocalRecord: true }, ctx)).toEqual([]);
    const stranger = { name: 'Someone Else', salesforceId: '003000000000099AAA' };
    expect(updater.groundingErrors!({ oldContact: stranger, newContact: stranger, updateLocalRecord: true }, ctx)).toEqual([
      "new contact 003000000000099AAA has no contact role on this opportunity's account",
      "previous contact 003000000000099AAA is not this opportunity's contact",
    ]);
    expect(updater.groundable!({ ...ctx, contactRoles: [] })).toBe(false);
  });

  it('previews both contact fields and the audit Task for the approval gate', () => {
    const ctx = discoveryContext();
    const preview = updater.changePreview({ oldContact: sarah, newContact: eric, updateLocalRecord: true }, ctx);
    expect(preview.description).toBe(
      `Opportunity "${ctx.opportunity.name}": Primary_Contact__c Sarah Chen → Eric Estrada; Previous_Contact__c → Sarah Chen; a completed audit Task is logged`,
    );
    expect(preview.fields.map((f) => [f.object, f.field, f.oldValue, f.newValue])).toEqual([
      ['Opportunity', 'Primary_Contact__c', 'Sarah Chen (003000000000001AAA)', 'Eric Estrada (003000000000002AAA)'],
      ['Opportunity', 'Previous_Contact__c', null, 'Sarah Chen (003000000000001AAA)'],
      ['Task', 'Subject', null, 'Primary contact changed to Eric Estrada (audit, completed)'],
    ]);
    expect(updater.writesFields).toBe(true);
  });
});
