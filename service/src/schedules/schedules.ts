import { schedule, type ScheduledTask } from 'node-cron';
import { pruneAssertionJtis } from '../db/assertion-jtis.ts';
import { claimScheduleSlot, finishScheduleSlot } from '../db/schedules.ts';
import type { Deps } from '../deps.ts';
import { runEngagementRules } from '../engagement/engine.ts';
import { generateQueuedPlans } from '../workflows/queued-generation.ts';
import { resurfaceTasks, startDueWorkflows } from './jobs.ts';
import { inSpan } from '../tracing.ts';

export interface ScheduleDefinition {
  name: string;
  cron: string;
  run(deps: Deps): Promise<unknown>;
}

/** The service's schedules, from the configuration. */
export function serviceSchedules(env: Deps['env']): ScheduleDefinition[] {
  return [
    { name: 'task-resurfacing', cron: env.RESURFACE_CRON, run: resurfaceTasks },
    { name: 'workflow-scheduler', cron: env.WORKFLOW_SCHEDULER_CRON, run: startDueWorkflows },
    { name: 'engagement-rules', cron: env.ENGAGEMENT_RULES_CRON, run: runEngagementRules },
    { name: 'plan-generation', cron: env.PLAN_GENERATION_CRON, run: generateQueuedPlans },
    // The jtis of user assertions that could no longer be accepted anyway (their exp and leeway passed).
    { name: 'assertion-jti-pruning', cron: '*/10 * * * *', run: (deps) => pruneAssertionJtis(deps.db.sql, deps.now()) },
  ];
}

/** The slot a cron firing belongs to: its scheduled time to the second, the same in every instance. */
function slotOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/**
 * Runs schedules with node-cron in every instance; each slot runs in exactly one, the one whose insert of the
 * (name, slot) row wins (see db/schedules.ts).
 */
export class Schedules {
  private tasks: ScheduledTask[] = [];
  private running = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: Deps,
    private readonly definitions: ScheduleDefinition[],
    private readonly opts: { instanceId: string; timezone?: string },
  ) {}

  start(): void {
    for (const d of this.definitions) {
      this.tasks.push(
        schedule(d.cron, (ctx) => this.track(this.fire(d, slotOf(ctx.date))), {
          name: `${d.name}-${this.opts.instanceId}`,
          timezone: this.opts.timezone,
        }),
      );
    }
  }

  /** Runs a schedule's slot here unless another instance already has; 'skipped' then. */
  async fire(d: ScheduleDefinition, slot: Date): Promise<'ran' | 'skipped'> {
    if (!(await claimScheduleSlot(this.deps.db.sql, d.name, slot, this.opts.instanceId))) return 'skipped';
    let result: unknown;
    try {
      // One span per schedule run: its log lines, Salesforce calls and the tasks it creates carry its trace.
      result = await inSpan(`schedule ${d.name}`, { attributes: { 'rap.schedule': d.name, 'rap.slot': slot.toISOString() } }, () =>
        d.run(this.deps),
      );
    } catch (err) {
      result = { error: (err as Error).message };
      this.deps.log.error('schedule failed', { schedule: d.name, slot: slot.toISOString(), error: (err as Error).message });
    }
    await finishScheduleSlot(this.deps.db.sql, d.name, slot, result ?? null);
    return 'ran';
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks = [];
    await Promise.allSettled([...this.running]);
  }

  private track(p: Promise<unknown>): Promise<unknown> {
    const tracked = p
      .catch((err: Error) => this.deps.log.warn('schedule slot not recorded', { error: err.message }))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return tracked;
  }
}
