import { beforeAll, describe, expect, it } from 'vitest';
import { generateWithFallback } from '../plan/generate.ts';
import type { PlanningInput } from '../plan/planner.ts';
import { PlaybookPlanner } from '../plan/playbook.ts';
import type { ActionPlanContent } from '../plan/schema.ts';
import { gradePlan, GRADER_NAMES } from './grade.ts';
import { MUTATIONS } from './mutations.ts';
import { loadScenarios, type Scenario } from './scenario.ts';
import { scenarioInput } from './scenario-input.ts';

const TEAM_ROLES = ['Executive Sponsor', 'Solutions Engineer', 'Renewal Manager', 'CSM'];

/**
 * The mutation check: for every grader, a plan broken in that grader's way (mutations.ts) fails it, on every shipped
 * scenario that leaves room for the defect, while the unbroken plan passes every grader.
 */
describe('every grader catches its seeded defect on the shipped scenarios', () => {
  const cases: { scenario: Scenario; input: PlanningInput; plan: ActionPlanContent }[] = [];
  beforeAll(async () => {
    for (const scenario of loadScenarios()) {
      const input = await scenarioInput(scenario, { maxTasks: 12, teamRoles: TEAM_ROLES });
      cases.push({ scenario, input, plan: (await generateWithFallback(new PlaybookPlanner(), input)).content });
    }
  }, 60_000);

  it('ships at least 30 scenarios covering all ten stages', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.input.stage.id)).size).toBe(10);
  });

  it('passes every grader with the playbook plan (the baseline)', () => {
    for (const c of cases)
      expect(
        gradePlan(c.plan, c.input, c.scenario.expect).filter((g) => !g.pass),
        c.scenario.name,
      ).toEqual([]);
  });

  it('has a mutation for every grader', () => expect(Object.keys(MUTATIONS).sort()).toEqual([...GRADER_NAMES].sort()));

  // Where a scenario has no room for a defect (no injection to follow, no task it must include) the mutation is undefined.
  const minimumApplicable: Record<string, number> = { injection: 4, expectations: 5 };
  for (const grader of GRADER_NAMES)
    it(`the ${grader} grader fails a plan broken in its way, and only it does`, () => {
      let applied = 0;
      for (const c of cases) {
        const broken = MUTATIONS[grader]!(structuredClone(c.plan), c.input, c.scenario.expect);
        if (broken === undefined) continue;
        applied++;
        const grades = gradePlan(broken, c.input, c.scenario.expect);
        const target = grades.find((g) => g.grader === grader)!;
        expect(target.pass, `${c.scenario.name}: ${grader}`).toBe(false);
        expect(target.reasons.length).toBeGreaterThan(0);
        expect(
          grades.filter((g) => g.grader !== grader && g.pass === false).map((g) => `${g.grader}: ${g.reasons[0]}`),
          c.scenario.name,
        ).toEqual([]);
      }
      expect(applied).toBeGreaterThanOrEqual(minimumApplicable[grader] ?? cases.length * 0.8);
    });
});
