import { DEMO_IDS, loadDemoSeed, salesforceId, type SeedData } from '../dev/org-emulator/index.ts';
import { seededOpportunityId } from './year-seed.ts';

/**
 * The demo org plus `count` open renewal opportunities of the demo CSM (Jordan Lee), with the ids `seedYear` gives
 * its opportunities, so the org and the database describe the same book. Renewal dates spread over 400 days; every
 * other one has an economic buyer, every third a logged call.
 */
export function portfolioSeed(count: number): SeedData {
  const demo = loadDemoSeed();
  const ids = Array.from({ length: count }, (_, i) => seededOpportunityId(i + 1));
  const contact = demo.Contact![0]!.Id as string;
  return {
    ...demo,
    Opportunity: [
      ...demo.Opportunity!,
      ...ids.map((Id, i) => ({
        Id,
        Name: `Seeded Renewal ${i + 1}`,
        AccountId: DEMO_IDS.accounts.acme,
        OwnerId: DEMO_IDS.users.jordanLee,
        Type: 'Renewal',
        StageName: 'Discovery',
        Amount: 10_000 + ((i * 7919) % 500) * 1_000,
        CloseDate: { daysFromToday: 1 + ((i * 37) % 400) },
      })),
    ],
    OpportunityContactRole: [
      ...demo.OpportunityContactRole!,
      ...ids
        .filter((_, i) => i % 2 === 0)
        .map((OpportunityId, i) => ({
          Id: salesforceId('00K', 100_000 + i),
          OpportunityId,
          ContactId: contact,
          Role: 'Economic Buyer',
          IsPrimary: true,
        })),
    ],
    Task: [
      ...demo.Task!,
      ...ids
        .filter((_, i) => i % 3 === 0)
        .map((WhatId, i) => ({
          Id: salesforceId('00T', 100_000 + i),
          Subject: 'Call with the customer',
          Status: 'Completed',
          Priority: 'Normal',
          ActivityDate: { daysFromToday: -((i * 13) % 60) },
          WhatId,
          WhoId: contact,
          OwnerId: DEMO_IDS.users.jordanLee,
        })),
    ],
  };
}
