import { BusinessCalendar } from '../calendar/business-days.ts';
import { addDays } from '../calendar/dates.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { loadStages, renewalStageFor } from '../stages/stages.ts';
import type { PlanningInput } from './planner.ts';

/** A Discovery-stage context like the demo story (test data for unit tests of the planners and validation). */
export const TODAY = '2026-11-25';
export function discoveryContext(): CrmContext {
  return {
    opportunity: {
      id: '006000000000001AAA',
      name: 'Acme Logistics — FY27 Renewal',
      stageName: 'Discovery',
      type: 'Renewal',
      amount: 265000,
      currentArr: 248000,
      closeDate: addDays(TODAY, 165),
      renewalDate: addDays(TODAY, 165),
      description: null,
      nextStep: null,
      primaryContactId: '003000000000001AAA',
      previousContactId: null,
    },
    account: { id: '001000000000001AAA', name: 'Acme Logistics', industry: 'Logistics', annualRevenue: null, employees: null },
    owner: { id: '005000000000001AAA', name: 'Jordan Lee', email: 'jordan@example.com' },
    contactRoles: [
      {
        id: '00k000000000001AAA',
        contactId: '003000000000001AAA',
        role: 'Business User',
        isPrimary: false,
        contact: {
          id: '003000000000001AAA',
          name: 'Sarah Chen',
          title: 'VP Operations',
          email: 's@acme.example',
          accountId: '001000000000001AAA',
        },
      },
      {
        id: '00k000000000002AAA',
        contactId: '003000000000002AAA',
        role: 'Decision Influencer',
        isPrimary: true,
        contact: {
          id: '003000000000002AAA',
          name: 'Eric Estrada',
          title: 'Director of Operations',
          email: 'e@acme.example',
          accountId: '001000000000001AAA',
        },
      },
    ],
    activities: [
      {
        id: '00T000000000001AAA',
        kind: 'Task',
        subject: 'Call with Sarah',
        description: 'Sarah moves to a new role; Eric takes over',
        date: addDays(TODAY, -12),
        status: 'Completed',
        whoId: null,
        isClosed: true,
        actionPlanTaskId: null,
      },
      {
        id: '00T000000000002AAA',
        kind: 'Task',
        subject: 'Budget planning',
        description: 'Finance announced a 15% budget cut across departments',
        date: addDays(TODAY, -20),
        status: 'Completed',
        whoId: null,
        isClosed: true,
        actionPlanTaskId: null,
      },
      {
        id: '00T000000000003AAA',
        kind: 'Task',
        subject: 'Send usage report to Eric Estrada',
        description: null,
        date: addDays(TODAY, -5),
        status: 'Not Started',
        whoId: '003000000000002AAA',
        isClosed: false,
        actionPlanTaskId: null,
      },
    ],
  };
}

export function planningInput(context = discoveryContext(), today = TODAY, maxTasks = 12): PlanningInput {
  const days = Math.round((Date.parse(context.opportunity.renewalDate) - Date.parse(today)) / 86_400_000);
  return {
    context,
    stage: renewalStageFor(days, loadStages()),
    today,
    daysToRenewal: days,
    calendar: new BusinessCalendar('US'),
    maxTasks,
  };
}
