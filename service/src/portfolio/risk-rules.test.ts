import { describe, expect, it } from 'vitest';
import { riskFlags, type RiskFacts } from './risk-rules.ts';

const TODAY = '2026-11-25';
const healthy: RiskFacts = {
  daysToRenewal: 75,
  economicBuyers: 1,
  planStatus: 'finalized',
  plannedRenewalDate: '2027-02-08',
  renewalDate: '2027-02-08',
  overdueCsmTasks: 0,
  failedAiTasks: 0,
  lastEngagement: '2026-11-20',
};

describe('the risk rule set', () => {
  it('raises nothing for a planned, engaged renewal with its economic buyer', () => {
    expect(riskFlags(healthy, TODAY)).toEqual([]);
  });

  it('raises each flag with its reason, in the order of the rules', () => {
    const flags = riskFlags(
      {
        ...healthy,
        economicBuyers: 0,
        planStatus: 'needs-replan',
        renewalDate: '2027-01-10',
        overdueCsmTasks: 2,
        failedAiTasks: 1,
        lastEngagement: '2026-10-01',
      },
      TODAY,
    );
    expect(flags).toEqual([
      { flag: 'no-economic-buyer', reason: 'No contact role is the Economic Buyer' },
      { flag: 'no-recent-engagement', reason: 'No customer engagement in 55 days (last on 2026-10-01)' },
      { flag: 'overdue-tasks', reason: '2 CSM tasks overdue' },
      { flag: 'renewal-date-moved', reason: 'The renewal date moved from 2027-02-08 to 2027-01-10 since the plan was finalized' },
      { flag: 'ai-tasks-failed', reason: '1 AI task failed' },
    ]);
  });

  it('counts engagement on the 30th day as recent, and none at all as a risk', () => {
    expect(riskFlags({ ...healthy, lastEngagement: '2026-10-26' }, TODAY)).toEqual([]);
    expect(riskFlags({ ...healthy, lastEngagement: '2026-10-25' }, TODAY).map((f) => f.flag)).toEqual(['no-recent-engagement']);
    expect(riskFlags({ ...healthy, lastEngagement: null }, TODAY)).toEqual([
      { flag: 'no-recent-engagement', reason: 'No customer engagement on record' },
    ]);
  });

  it('wants a finalized plan from the Engage stage on (under 120 days), a draft is not enough', () => {
    expect(riskFlags({ ...healthy, planStatus: 'none', plannedRenewalDate: null, daysToRenewal: 150 }, TODAY)).toEqual([]);
    expect(riskFlags({ ...healthy, planStatus: 'draft', plannedRenewalDate: null, daysToRenewal: 119 }, TODAY)).toEqual([
      { flag: 'no-plan', reason: 'No finalized plan with 119 days to renewal' },
    ]);
  });
});
