import { Connection } from 'jsforce';
import { parseSeed } from '../../../dev/org-emulator/index.ts';
import { PACKAGE_SOURCE, startDemoOrg } from '../../../dev/demo-seed/index.ts';
import { OrgBusinessCalendar } from '../calendar/org-calendar.ts';
import { createLogger } from '../log.ts';
import type { PlanningInput } from '../plan/planner.ts';
import { loadOpportunityContext } from '../salesforce/context.ts';
import { loadStages } from '../stages/stages.ts';
import { renewalPosition } from '../workflows/executions.ts';
import type { Scenario } from './scenario.ts';

interface InputOptions {
  maxTasks: number;
  teamRoles: readonly string[];
  /** HOLIDAY_COUNTRY: the calendar when the seed has no Holiday records or business hours. */
  holidayCountry?: string;
}

/**
 * The planning input of a scenario, read the way the service reads it: its seed loaded into the local org emulator
 * (in this process, on a free port of 127.0.0.1) on the scenario's day, the context through the service's own SOQL over
 * jsforce, the org's business calendar, the stage from the days to renewal. The workflow's earlier steps are not run: a
 * scenario plans from the CRM alone.
 */
export async function scenarioInput(scenario: Scenario, o: InputOptions): Promise<PlanningInput> {
  const org = await startDemoOrg({ seed: parseSeed(scenario.seed, PACKAGE_SOURCE), today: new Date(`${scenario.today}T10:00:00Z`) });
  try {
    const conn = new Connection({ instanceUrl: org.url, accessToken: 'eval', version: '62.0' });
    const context = await loadOpportunityContext(conn, scenario.opportunityId, { renewalDateField: scenario.renewalDateField });
    if (!context) throw new Error(`Scenario ${scenario.name}: opportunity ${scenario.opportunityId} is not in its seed`);
    const calendar = await OrgBusinessCalendar.load(conn, { country: o.holidayCountry ?? 'US', log: createLogger('silent') });
    const { daysToRenewal, stage } = renewalPosition(context, scenario.today, loadStages());
    return { context, stage, today: scenario.today, daysToRenewal, calendar, maxTasks: o.maxTasks, teamRoles: o.teamRoles, steps: [] };
  } finally {
    await org.close();
  }
}
