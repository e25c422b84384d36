import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { getExecution, latestExecution, planViewStamp } from '../read-model/executions.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../domain-errors.ts';
import { finalize } from '../workflows/finalize-plan.ts';
import { generatePlan } from '../workflows/generate-plan.ts';
import { FinalizeBody } from './finalize-body.ts';
import { currentPlanViewJson, planViewJson } from '../read-model/plan-view/plan-view.ts';
import { executionView, opportunityContext, startWorkflow } from '../workflows/executions.ts';
import { planViewForViewer, viewerAccess } from '../workflows/viewer-mask.ts';
import { followRenewalDate } from '../workflows/renewal-date.ts';
import { PlanCache, PlanViewCache } from '../workflows/plan-cache.ts';
import { executionForUser, requireOpportunityAccess } from './access.ts';
import { router } from './openapi-hono.ts';
import { conflictResponse, errorResponses, IdParam, json, jsonBody, OpportunityIdBody, OpportunityIdQuery } from './schemas.ts';
import { ExecutionView, PlanView } from './views.ts';

const ExecutionResponse = z.object({ execution: ExecutionView });
const CurrentExecutionResponse = z.object({ execution: ExecutionView.nullable() });
const PlanResponse = z.object({ plan: PlanView });

/** A `PlanResponse` from the plan view's JSON text (plan-view/plan-view.ts renders it as text, not as an object). */
const planResponse = (c: Context, plan: string, status: 200 | 201, headers: Record<string, string> = {}) =>
  c.body(`{"plan":${plan}}`, status, { 'Content-Type': 'application/json', ...headers }) as never;

/** Workflow executions and their action plans. */
export function executionsRouter(deps: Deps) {
  /** The plan view's JSON text as this viewer may read it (viewer-mask.ts): as rendered for one who reads every field. */
  const forViewer = async (viewer: Awaited<ReturnType<typeof viewerAccess>>, json: string) =>
    viewer.key ? JSON.stringify(await planViewForViewer(deps, viewer, JSON.parse(json))) : json;
  const app = router();
  const planCache = new PlanCache();
  const viewCache = new PlanViewCache();

  const executionFor = (userId: string, id: string) => executionForUser(deps, userId, id);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: "The opportunity's current execution, or null when none was started: a read that starts nothing",
      request: { query: OpportunityIdQuery },
      responses: { 200: json(CurrentExecutionResponse, 'The execution, or null'), ...errorResponses },
    }),
    async (c) => {
      const { opportunityId } = c.req.valid('query');
      // The card calls this on every view: only the (cached) access check reaches Salesforce, and nothing is written.
      // Starting a workflow (which reads the CRM context) is the explicit POST below.
      await requireOpportunityAccess(deps, c.get('userId'), opportunityId);
      const execution = await latestExecution(deps.db.sql, opportunityId);
      return c.json({ execution: execution ? await executionView(deps, execution, c.get('userId')) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: "Start (or return) the workflow of the opportunity's current renewal stage",
      request: jsonBody(OpportunityIdBody),
      responses: {
        200: json(ExecutionResponse, 'The execution already started'),
        201: json(ExecutionResponse, 'A new execution'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { opportunityId } = c.req.valid('json');
      const userId = c.get('userId');
      // The CRM context (as the user may read it) is read together with the access check (one composite request), and
      // used only once it passed.
      const context = deps.salesforce.loadContextFor(userId, opportunityId);
      context.catch(() => undefined);
      await requireOpportunityAccess(deps, userId, opportunityId);
      const ctx = await opportunityContext(deps, userId, opportunityId, context);
      await followRenewalDate(deps, ctx);
      const { execution, created } = await startWorkflow(deps, userId, ctx);
      return c.json({ execution: await executionView(deps, execution, c.get('userId')) }, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      summary: 'An execution with its stage and steps',
      request: { params: IdParam },
      responses: { 200: json(ExecutionResponse, 'The execution'), ...errorResponses },
    }),
    async (c) => {
      const execution = await executionFor(c.get('userId'), c.req.valid('param').id);
      return c.json({ execution: await executionView(deps, execution, c.get('userId')) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/action-plan/generate',
      summary: 'Generate a new draft version of the action plan',
      request: { params: IdParam },
      responses: {
        201: json(PlanResponse, 'The new draft'),
        ...conflictResponse,
        429: {
          ...errorResponses[400],
          description: 'Too many generations for this user or execution; `Retry-After` says when to try again',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const userId = c.get('userId');
      const execution = await executionFor(userId, c.req.valid('param').id);
      const plan = await generatePlan(deps, userId, execution);
      return planResponse(c, await planViewJson(deps, plan, execution), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/action-plan',
      summary: 'The current plan (finalized, else latest draft) with every task and its live status',
      request: { params: IdParam },
      responses: {
        200: json(PlanResponse, 'The plan (with an ETag)'),
        304: { description: 'Unchanged since the ETag in If-None-Match' },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      // The page polls this while AI tasks run. First a cheap read: whose opportunity it is, and the stamp of
      // everything the view shows. An unchanged stamp serves the rendered view (or 304 for a matching ETag).
      // Unless the stamp is one of today's renderings this instance or the client holds, the same statement brings the
      // live state along (read before the access check, used only after it).
      const stuckAfterMs = deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000;
      // Timeline steps turn overdue as days pass: the day is part of what the view shows.
      const today = deps.today();
      const known = [viewCache.stampOf(id), c.req.header('if-none-match')?.slice(1, -1)]
        .filter((s) => s?.endsWith(`-${today}`))
        .map((s) => s!.slice(0, -today.length - 1));
      // The task states of the last rendering this instance holds: after a change, only the changed tasks are read.
      const held = viewCache.tasksOf(id);
      const head = await planViewStamp(deps.db.sql, id, stuckAfterMs, known, held);
      if (!head) throw notFound(`Execution ${id}`);
      // Who reads it matters too: a viewer with less field access than the plan's author gets it masked (viewer-mask.ts).
      const [, viewer] = await Promise.all([
        requireOpportunityAccess(deps, c.get('userId'), head.opportunityId),
        viewerAccess(deps, c.get('userId')),
      ]);
      if (!head.hasPlan) throw notFound(`An action plan for execution ${id}`);
      const etag = `"${head.stamp}-${today}${viewer.tag ? `-${viewer.tag}` : ''}"`;
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag });
      const stamp = `${head.stamp}-${today}`;
      const masked = viewer.key ? viewCache.masked(id, stamp, viewer.key) : undefined;
      if (masked) return planResponse(c, masked, 200, { ETag: etag });
      let json = viewCache.get(id, stamp);
      if (!json) {
        const rendered = await currentPlanViewJson(deps, planCache, id, head.live, held);
        if (!rendered) throw notFound(`An action plan for execution ${id}`);
        json = rendered.json;
        viewCache.set(id, stamp, json, rendered.tasks);
      }
      if (!viewer.key) return planResponse(c, json, 200, { ETag: etag });
      const shown = await forViewer(viewer, json);
      viewCache.setMasked(id, stamp, viewer.key, shown);
      return planResponse(c, shown, 200, { ETag: etag });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/action-plan/finalize',
      summary: 'Finalize the draft (optional task edits): creates the tasks, queues AI tasks, mirrors to Salesforce',
      request: { params: IdParam, ...jsonBody(FinalizeBody, false) },
      responses: {
        200: json(PlanResponse, 'The finalized plan (finalizing again returns it unchanged)'),
        ...conflictResponse,
        ...errorResponses,
      },
    }),
    async (c) => {
      const userId = c.get('userId');
      const execution = await executionFor(userId, c.req.valid('param').id);
      const body = c.req.valid('json') ?? {};
      const plan = await finalize(deps, userId, execution, body);
      const fresh = (await getExecution(deps.db.sql, execution.id))!;
      return planResponse(c, await forViewer(await viewerAccess(deps, userId), await planViewJson(deps, plan, fresh)), 200);
    },
  );

  return app;
}
