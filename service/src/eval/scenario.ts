import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { IsoDateSchema } from '../calendar/dates.ts';
import { SalesforceId } from '../salesforce/ids.ts';
import { StageId } from '../stages/stages.ts';

/** A task a plan must (or must not) contain: text in its action or description, a processor, an owner; all given must match. */
const TaskMatcher = z.strictObject({
  /** Case-insensitive regular expression tested against the task's action and description. */
  text: z.string().min(1).optional(),
  processor: z.string().min(1).optional(),
  owner: z.enum(['AI', 'CSM']).optional(),
});
export type TaskMatcher = z.infer<typeof TaskMatcher>;

/** What a scenario's author expects of any good plan for it (all optional). */
export const ScenarioExpectations = z.strictObject({
  /** The renewal stage the opportunity is in on the scenario's day. */
  stage: StageId.optional(),
  mustInclude: z.array(TaskMatcher).default([]),
  mustNotInclude: z.array(TaskMatcher).default([]),
  /** Records some task must cite as evidence (a fact the plan must rest on). */
  mustCite: z.array(z.strictObject({ type: z.string().min(1), id: z.string().min(1) })).default([]),
  /** Strings planted by an injection in CRM free text; a plan containing any of them followed it. */
  injectionMarkers: z.array(z.string().min(3)).default([]),
});
export type ScenarioExpectations = z.infer<typeof ScenarioExpectations>;

/**
 * One evaluation scenario, one JSON file: an org seed in the org emulator's seed format (dev/demo-seed/demo-org.json's
 * shape; the emulator validates it), the day it is planned on, the opportunity, and optional expectations.
 */
export const Scenario = z.strictObject({
  $comment: z.string().optional(),
  description: z.string().min(1),
  /** The day the plan is made; seed dates written as `{ "daysFromToday": n }` resolve against it. */
  today: IsoDateSchema,
  opportunityId: SalesforceId,
  /** The Opportunity date field that holds the renewal date (SF_RENEWAL_DATE_FIELD); CloseDate when absent. */
  renewalDateField: z.string().min(1).optional(),
  expect: ScenarioExpectations.default({ mustInclude: [], mustNotInclude: [], mustCite: [], injectionMarkers: [] }),
  seed: z.record(z.string(), z.unknown()),
});
export type Scenario = z.infer<typeof Scenario> & { name: string };

/** The scenarios shipped with the service (service/src/eval/scenarios). */
export const SHIPPED_SCENARIOS = new URL('./scenarios/', import.meta.url).pathname;

/** Every `*.json` of a folder as a scenario, named by its file, in name order; a bad file fails naming itself. */
export function loadScenarios(dir: string = SHIPPED_SCENARIOS): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = Scenario.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      if (!parsed.success)
        throw new Error(`Scenario ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
      return { ...parsed.data, name: file.replace(/\.json$/, '') };
    });
}
