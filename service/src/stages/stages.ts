import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { plannableProcessors } from '../../../processors/registry.ts';

// Read from the registry when a stage table is first parsed, not when this module loads: importing the stage table
// loads no processor list (zod keeps the enum once built).
const PlannableProcessor = z.lazy(() => z.enum(plannableProcessors() as [string, ...string[]]));

/** The ten renewal stages, in order from furthest to overdue. */
export const STAGE_IDS = [
  'Monitor',
  'Discovery',
  'Prepare',
  'Engage',
  'Negotiate',
  'Finalize',
  'Signature',
  'Critical',
  'Emergency',
  'Overdue',
] as const;
export const StageId = z.enum(STAGE_IDS);
export type StageId = z.infer<typeof StageId>;
const Urgency = z.enum(['low', 'medium', 'high', 'critical']);

const StageConfig = z.object({
  id: StageId,
  name: z.string().min(1),
  minDays: z.number().int().nullable(),
  maxDays: z.number().int().nullable(),
  urgency: Urgency,
  focus: z.array(z.string().min(1)).min(1),
  typicalAiTasks: z.array(z.string().min(1)),
  /** The stage's usual CSM work, each with what it means in practice (the playbook's task description). */
  typicalCsmTasks: z.array(
    z.object({
      action: z.string().min(1).max(200),
      description: z.string().min(1).max(2000),
      /** A meeting (the CFO meeting, the QBR, the business review) is booked as a Salesforce Event; default: a task. */
      kind: z.enum(['task', 'meeting']).default('task'),
    }),
  ),
  nextStage: z.object({ id: StageId, triggerDaysToRenewal: z.number().int() }).nullable(),
  /** The processors a plan of this stage may use (the allow-list); the workflow scheduler is never one: finalize schedules. */
  processors: z.array(PlannableProcessor).min(1),
});
/** A stage as the service uses it: its next stage carries that stage's name (resolved when the table loads). */
export type RenewalStage = Omit<z.infer<typeof StageConfig>, 'nextStage'> & {
  nextStage: { id: StageId; name: string; triggerDaysToRenewal: number } | null;
};

const StagesFile = z.object({ stages: z.array(StageConfig).length(STAGE_IDS.length) }).superRefine(({ stages }, ctx) => {
  stages.forEach((stage, i) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['stages', i], message });
    if (stage.id !== STAGE_IDS[i]) issue(`stage ${i} must be ${STAGE_IDS[i]}, found ${stage.id}`);
    const below = stages[i + 1];
    if (i === 0 && stage.maxDays !== null) issue('the first stage must have no upper bound (maxDays null)');
    if (!below) {
      if (stage.minDays !== null) issue('the last stage must have no lower bound (minDays null)');
      return;
    }
    if (stage.minDays === null || below.maxDays === null || below.maxDays !== stage.minDays - 1) {
      issue(`windows must be contiguous: ${stage.id}.minDays - 1 must equal ${below.id}.maxDays`);
    }
    if (stage.nextStage && stage.nextStage.id !== below.id) issue(`next stage of ${stage.id} must be ${below.id}`);
    if (stage.nextStage && stage.nextStage.triggerDaysToRenewal > (stage.maxDays ?? Infinity)) {
      issue(`${stage.id}'s next stage cannot trigger before ${stage.id} itself starts`);
    }
  });
});

/** Loads and validates a stage configuration file (throws naming the bad entry). */
export function loadStages(path = new URL('../../../config/stages.json', import.meta.url)): RenewalStage[] {
  const raw = JSON.parse(readFileSync(path, 'utf8'));
  const parsed = StagesFile.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Error(`Invalid stage configuration at ${first.path.join('.')}: ${first.message}`);
  }
  const table = parsed.data.stages;
  return table.map((s) => ({
    ...s,
    nextStage: s.nextStage && { ...s.nextStage, name: table.find((x) => x.id === s.nextStage!.id)!.name },
  }));
}

/** The stage whose window contains this many days to renewal, in the stage table (`deps.stages`). */
export function renewalStageFor(daysToRenewal: number, table: RenewalStage[]): RenewalStage {
  const stage = table.find((s) => (s.minDays === null || daysToRenewal >= s.minDays) && (s.maxDays === null || daysToRenewal <= s.maxDays));
  if (!stage) throw new Error(`no renewal stage covers ${daysToRenewal} days`);
  return stage;
}

export function stageById(id: StageId, table: RenewalStage[]): RenewalStage {
  return table.find((s) => s.id === id)!;
}
