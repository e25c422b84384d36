// The product's demo org: the seed holds every DEMO_IDS record, tells the demo's stories, and its relative dates resolve.

import { describe, expect, it } from 'vitest';
import type { SeedData } from '../org-emulator/index.ts';
import { connect } from '../org-emulator/test-support.ts';
import { DEMO_IDS, loadDemoSeed, startDemoOrg } from './index.ts';

describe('the demo seed', () => {
  const seed = loadDemoSeed();
  const byId = (type: keyof SeedData, id: string) => (seed[type] as Record<string, unknown>[]).find((r) => r.Id === id);

  it('holds every DEMO_IDS record', () => {
    for (const [type, group] of [
      ['User', DEMO_IDS.users],
      ['Profile', DEMO_IDS.profiles],
      ['PermissionSet', DEMO_IDS.profilePermissionSets],
      ['CustomNotificationType', DEMO_IDS.notificationTypes],
      ['Account', DEMO_IDS.accounts],
      ['Opportunity', DEMO_IDS.opportunities],
      ['Contact', DEMO_IDS.contacts],
    ] as const) {
      for (const id of Object.values(group)) expect(byId(type, id), `${type} ${id}`).toBeDefined();
    }
  });

  it('tells the Acme Logistics story: primary contact changing, no CFO engaged, budget cut, overdue task', async () => {
    const org = await startDemoOrg({ today: new Date('2026-11-25T10:00:00Z') });
    try {
      const roles = org.records('OpportunityContactRole').filter((r) => r.OpportunityId === DEMO_IDS.opportunities.acme);
      expect(roles.find((r) => r.IsPrimary)?.ContactId).toBe(DEMO_IDS.contacts.ericEstrada);
      expect(roles.some((r) => r.ContactId === DEMO_IDS.contacts.danaWhitfield)).toBe(false);
      const dana = org.records('Contact').find((c) => c.Id === DEMO_IDS.contacts.danaWhitfield);
      expect(dana).toMatchObject({ Title: 'CFO', AccountId: DEMO_IDS.accounts.acme });
      const acme = org.records('Opportunity').find((o) => o.Id === DEMO_IDS.opportunities.acme);
      expect(acme).toMatchObject({
        StageName: 'Discovery',
        Amount: 265000,
        Current_ARR__c: 248000,
        Primary_Contact__c: DEMO_IDS.contacts.sarahChen,
      });
      const tasks = org.records('Task').filter((t) => t.WhatId === DEMO_IDS.opportunities.acme);
      expect(tasks.some((t) => String(t.Description).includes('15% budget cut'))).toBe(true);
      expect(tasks.filter((t) => !t.IsClosed).map((t) => [t.Subject, t.ActivityDate])).toEqual([
        ['Send usage report to Eric Estrada', '2026-11-20'],
      ]);
    } finally {
      await org.close();
    }
  });

  it('resolves relative dates against the today option', async () => {
    const closeDates = async (today: string) => {
      const org = await startDemoOrg({ today: new Date(today) });
      try {
        const result = await connect(org).query<{ Name: string; CloseDate: string }>(
          'SELECT Name, CloseDate FROM Opportunity ORDER BY CloseDate',
        );
        return result.records.map((r) => r.CloseDate);
      } finally {
        await org.close();
      }
    };
    expect(await closeDates('2026-11-25T10:00:00Z')).toEqual(['2026-12-05', '2027-02-08', '2027-05-09', '2027-07-03']);
    expect(await closeDates('2030-01-01T00:00:00Z')).toEqual(['2030-01-11', '2030-03-17', '2030-06-15', '2030-08-09']);
  });

  it('gives activities datetimes in Salesforce format from relative values', async () => {
    const org = await startDemoOrg({ today: new Date('2026-11-25T10:00:00Z') });
    try {
      const call = org.records('Task').find((t) => t.Id === '00T5e0000000001EAA');
      expect(call).toMatchObject({ CreatedDate: '2026-11-13T15:00:00.000+0000', LastModifiedDate: '2026-11-13T15:40:00.000+0000' });
    } finally {
      await org.close();
    }
  });
});
