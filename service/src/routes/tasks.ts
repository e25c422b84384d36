import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { runTaskNow } from '../executor/manual.ts';
import type { Deps } from '../deps.ts';
import { conflict, invalidInput } from '../domain-errors.ts';
import { IsoDateTimeSchema } from '../calendar/dates.ts';
import { IsoDate } from '../plan/schema.ts';
import { SalesforceId } from '../salesforce/ids.ts';
import { blockerList, listTasks, opportunitiesOfTasks, type TaskFilters } from '../read-model/tasks.ts';
import { redactSecrets } from '../secrets.ts';
import { approveTask, changeTask } from '../workflows/task-changes.ts';
import { requireOpportunityAccess, taskForUser } from './access.ts';
import { router } from './openapi-hono.ts';
import { conflictResponse, errorResponses, IdParam, json, jsonBody } from './schemas.ts';
import { TaskView, taskView } from './views.ts';
import { tasksForViewer, viewerAccess } from '../workflows/viewer-mask.ts';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
/** The instant a cursor carries, exactly as listTasks writes it (UTC, microseconds): nothing PostgreSQL could refuse. */
const CURSOR_INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/;
const Cursor = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    const [createdAt, id, ...rest] = Buffer.from(v, 'base64url').toString('utf8').split('|');
    const day = createdAt && CURSOR_INSTANT.exec(createdAt)?.[1];
    if (!day || !IsoDate.safeParse(day).success || !id || !z.uuid().safeParse(id).success || rest.length) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this endpoint' });
      return z.NEVER;
    }
    return { createdAt, id };
  });

const ListQuery = z
  .object({
    auto_execute: bool.optional(),
    execution_status: z.enum(['queued', 'running', 'success', 'failed']).optional(),
    status: z.enum(['pending', 'in_progress', 'completed', 'snoozed', 'cancelled']).optional(),
    owner: z.enum(['AI', 'CSM', 'Customer']).optional(),
    opportunity_id: SalesforceId.optional(),
    execution_id: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: Cursor.optional(),
  })
  .strict();

const TaskPatchBody = z
  .object({
    status: z.enum(['pending', 'in_progress', 'completed', 'cancelled']).optional(),
    dueDate: IsoDate.optional(),
    snoozedUntil: IsoDateTimeSchema.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'must change at least one of status, dueDate, snoozedUntil')
  .refine((b) => !(b.snoozedUntil && b.status), { message: 'cannot set status and snooze at once', path: ['snoozedUntil'] });

const TaskResponse = z.object({ task: TaskView });
const TaskRunResponse = z.object({
  task: TaskView,
  outcome: z.object({ status: z.enum(['success', 'queued', 'failed', 'running', 'lost']), error: z.string().nullable() }),
});

/** Plan tasks: list (filters, paging), read, update, and ask an AI task to run. */
export function tasksRouter(deps: Deps) {
  const app = router();

  const taskFor = (userId: string, id: string) => taskForUser(deps, userId, id);
  /** A task as this user may read it (made under its plan author's field access: viewer-mask.ts). */
  const taskForViewer = async <V extends { actionPlanId: string | null }>(userId: string, view: V) =>
    (await tasksForViewer(deps, await viewerAccess(deps, userId), [view]))[0]!;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'Tasks on opportunities the user can edit, oldest first (keyset paging with `cursor`)',
      request: { query: ListQuery },
      responses: {
        200: json(z.object({ tasks: z.array(TaskView), nextCursor: z.string().nullable() }), 'One page of tasks'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const userId = c.get('userId');
      const filters: Omit<TaskFilters, 'limit'> = {
        autoExecute: q.auto_execute,
        executionStatus: q.execution_status,
        status: q.status,
        owner: q.owner,
        executionId: q.execution_id,
        after: q.cursor,
      };
      let opportunityIds: string[];
      if (q.opportunity_id) {
        await requireOpportunityAccess(deps, userId, q.opportunity_id);
        opportunityIds = [q.opportunity_id];
      } else {
        const candidates = await opportunitiesOfTasks(deps.db.sql, filters);
        opportunityIds = candidates.length ? [...(await deps.salesforce.editable(userId, candidates))] : [];
      }
      const rows = await listTasks(deps.db.sql, { ...filters, opportunityIds, limit: q.limit });
      const last = rows.length === q.limit ? rows.at(-1) : undefined;
      const nextCursor = last ? Buffer.from(`${last.cursorAt}|${last.id}`).toString('base64url') : null;
      return c.json({ tasks: await tasksForViewer(deps, await viewerAccess(deps, userId), rows.map(taskView)), nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      summary: 'One task',
      request: { params: IdParam },
      responses: { 200: json(TaskResponse, 'The task'), ...errorResponses },
    }),
    async (c) =>
      c.json({ task: await taskForViewer(c.get('userId'), taskView(await taskFor(c.get('userId'), c.req.valid('param').id))) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      summary: 'Change a task: status (also sub-task completion), due date, snooze; mirrored to Salesforce',
      description:
        'An AI task can only be cancelled, and not while an executor runs it (409: its run would write a result over the cancel). ' +
        'A task (or a sub-task of one) that waits for unfinished tasks cannot be completed: 409 naming them. Completing or ' +
        'cancelling a task unblocks the tasks that waited only for it (their Salesforce Tasks go from "Waiting on someone else" to "Not Started").',
      request: { params: IdParam, ...jsonBody(TaskPatchBody) },
      responses: { 200: json(TaskResponse, 'The updated task'), 409: errorResponses[400], ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const task = await taskFor(c.get('userId'), id);
      if (task.owner === 'AI' && patch.status && patch.status !== 'cancelled')
        throw invalidInput('AI tasks are run by the executor; they can only be cancelled', [
          { path: 'body.status', message: 'AI tasks can only be cancelled' },
        ]);
      if (patch.snoozedUntil && Date.parse(patch.snoozedUntil) <= deps.now().getTime())
        throw invalidInput('snoozedUntil must be in the future', [{ path: 'body.snoozedUntil', message: 'must be in the future' }]);
      return c.json({ task: await taskForViewer(c.get('userId'), taskView(await changeTask(deps, id, patch))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/approve',
      summary: 'Approve an AI task proposed after finalize (a contact update an engagement rule proposed); it is queued to run',
      request: { params: IdParam },
      responses: { 200: json(TaskResponse, 'The approved task, queued'), ...conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await taskFor(c.get('userId'), id);
      return c.json({ task: await taskForViewer(c.get('userId'), taskView(await approveTask(deps, id))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/execute',
      summary: 'Run an AI task now (a failed task is queued again first) and return its result',
      description:
        'Claims the task like any executor does (a task another worker is running, or one waiting for unfinished tasks, answers 409), runs its processor in this request and returns the task with its outcome: `success`, `queued` again (the attempt failed and will be retried) or `failed`.',
      request: { params: IdParam },
      responses: { 200: json(TaskRunResponse, 'The task after the run'), ...conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const task = await taskFor(c.get('userId'), id);
      if (!task.autoExecute) throw conflict(`Task ${id} is a ${task.owner} task; only AI tasks execute`);
      if (task.executionStatus === 'success') throw conflict(`Task ${id} already ran successfully`);
      if (task.status === 'cancelled') throw conflict(`Task ${id} was cancelled`);
      const run = await runTaskNow(deps, id);
      if (run.kind === 'busy') throw conflict(`Task ${id} is running in another worker`);
      if (run.kind === 'blocked') throw conflict(`"${run.task.action}" waits for unfinished tasks: ${blockerList(run.blockers)}`);
      if (run.kind === 'not-runnable') throw conflict(`Task ${id} cannot run now (execution status ${run.task.executionStatus})`);
      return c.json(
        {
          task: await taskForViewer(c.get('userId'), taskView(run.task)),
          outcome: { status: run.outcome.status, error: run.outcome.error === undefined ? null : redactSecrets(run.outcome.error) },
        },
        200,
      );
    },
  );

  return app;
}
