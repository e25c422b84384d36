import { processorRegistry } from '../../../processors/registry.ts';
import { claimTaskNow, retryTask } from '../db/queue.ts';
import { blockersOf, type Blocker } from '../db/dependencies.ts';
import { getTask, type TaskRow } from '../db/tasks.ts';
import type { Deps } from '../deps.ts';
import { sharedExecutorMetrics } from './metrics.ts';
import { defaultWorkerId, executorOptions } from './options.ts';
import { runClaimedTask, type RunOutcome } from './run-task.ts';
import { processorServices } from './services.ts';

type ManualRun =
  | { kind: 'ran'; outcome: RunOutcome; task: TaskRow }
  | { kind: 'busy'; task: TaskRow }
  | { kind: 'blocked'; task: TaskRow; blockers: Blocker[] }
  | { kind: 'not-runnable'; task: TaskRow };

/**
 * Runs an AI task now, in this process, under the executor's claim rules: a failed task is queued again (attempts
 * reset), then claimed with SKIP LOCKED like any other claim, so a task another worker holds is never run twice, and
 * one waiting for unfinished prerequisites is not run (`blocked`, naming them).
 */
export async function runTaskNow(deps: Deps, taskId: string): Promise<ManualRun> {
  const current = (await getTask(deps.db.sql, taskId))!;
  if (current.executionStatus === 'running') return { kind: 'busy', task: current };
  if (current.executionStatus === 'failed') await retryTask(deps.db.sql, taskId);
  const options = executorOptions(deps.env, `${defaultWorkerId()}:manual`);
  const claimed = await claimTaskNow(deps.db.sql, taskId, options);
  if (!claimed) {
    const task = (await getTask(deps.db.sql, taskId))!;
    if (task.executionStatus === 'running') return { kind: 'busy', task };
    const blockers = await blockersOf(deps.db.sql, [taskId]);
    return blockers.length ? { kind: 'blocked', task, blockers } : { kind: 'not-runnable', task };
  }
  const outcome = await runClaimedTask(claimed, {
    registry: processorRegistry,
    services: processorServices(deps),
    options,
    metrics: sharedExecutorMetrics,
    writePauseMs: () => deps.salesforce.gate.remainingMs(),
  });
  return { kind: 'ran', outcome, task: (await getTask(deps.db.sql, taskId))! };
}
