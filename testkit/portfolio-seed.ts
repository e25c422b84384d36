import { salesforceId, type SeedData } from '../dev/org-emulator/index.ts';
import { DEMO_IDS, loadDemoSeed } from '../dev/demo-seed/index.ts';
import { seededOpportunityId } from './year-seed.ts';

/**
 * The demo org plus `count` open renewal opportunities of the demo CSM (Jordan Lee), with the ids `seedYear` gives
 * its opportunities, so the org and the database describe the same book. Renewal dates spread over 400 days; every
 * other one has an economic buyer, every third a logged call. With `manager`, a user who is Jordan Lee's manager and
 * may read every one of them (shared).
 */
export function portfolioSeed(count: number, opts: { manager?: string } = {}): SeedData {
  const demo = loadDemoSeed();
  const jordan = DEMO_IDS.users.jordanLee;
  const ids = Array.from({ length: count }, (_, i) => seededOpportunityId(i + 1));
  const contact = demo.Contact![0]!.Id as string;
  const manager = opts.manager && {
    Id: opts.manager,
    FirstName: 'Riley',
    LastName: 'Manager',
    Username: 'riley.manager@rap-demo.example',
    Email: 'riley.manager@example.com',
    IsActive: true,
    ProfileId: demo.User!.find((u) => u.Id === jordan)!.ProfileId,
  };
  return {
    ...demo,
    // The manager first: a seed loads records in order, and a lookup must find its record.
    User: manager ? [manager, ...demo.User!.map((u) => (u.Id === jordan ? { ...u, ManagerId: manager.Id } : u))] : demo.User,
    shares: manager ? ids.map((recordId) => ({ userId: manager.Id, recordId, access: 'Read' as const })) : demo.shares,
    Opportunity: [
      ...demo.Opportunity!,
      ...ids.map((Id, i) => ({
        Id,
        Name: `Seeded Renewal ${i + 1}`,
        AccountId: DEMO_IDS.accounts.acme,
        OwnerId: jordan,
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
