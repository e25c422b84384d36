import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StageId, type StageId as Stage } from '../stages/stages.ts';

/** What a customer did with an email, as the rules name it. */
export const EngagementEvent = z.enum(['open', 'click', 'reply']);
export type EngagementEvent = z.infer<typeof EngagementEvent>;

/** One stage's engagement rules (config/engagement-rules.json; see docs/engagement-rules.md). */
export const EngagementRule = z.strictObject({
  /** A follow-up CSM task when a tracked email has no open after this many business days; null: never. */
  noOpenAfterBusinessDays: z.number().int().min(1).max(30).nullable(),
  /** Events that complete the email's tracking task (and so unblock what waits on it). */
  completeOn: z.array(EngagementEvent).min(1),
  /** Events that create a follow-up CSM task at once ("opened the proposal: call while it is fresh"). */
  followUpOn: z.array(z.enum(['open', 'click'])),
  /** The follow-up's due date: this many business days after the day the rule fires (0: that business day). */
  followUpDueInBusinessDays: z.number().int().min(0).max(10),
  /** A hard bounce: flag the contact and propose a contact update for approval, only flag it, or do nothing. */
  onBounce: z.enum(['propose-contact-update', 'flag-contact', 'ignore']),
});
export type EngagementRule = z.infer<typeof EngagementRule>;

const RulesFile = z.strictObject({
  default: EngagementRule,
  stages: z.partialRecord(StageId, EngagementRule.partial().strict()),
});
export type EngagementRules = z.infer<typeof RulesFile>;

/** Loads and validates the engagement rules (throws naming the bad entry); read once at startup into the deps. */
export function loadEngagementRules(
  path: string | URL = new URL('../../../config/engagement-rules.json', import.meta.url),
): EngagementRules {
  const parsed = RulesFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Error(`Invalid engagement rules at ${first.path.join('.')}: ${first.message}`);
  }
  return parsed.data;
}

/** The rule of a stage: the stage's entries over the default. */
export function ruleFor(rules: EngagementRules, stage: string): EngagementRule {
  return { ...rules.default, ...rules.stages[stage as Stage] };
}
