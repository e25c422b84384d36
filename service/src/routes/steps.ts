import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ExecutionRow } from '../read-model/executions.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../domain-errors.ts';
import { executionView, opportunityContext } from '../workflows/executions.ts';
import { followRenewalDate } from '../workflows/renewal-date.ts';
import { assertStepsOpen, goBackToStep, runStep, skipStep, submitStepInput } from '../workflows/steps/service.ts';
import { stepLibrary } from '../workflows/steps/library/index.ts';
import { executionForUser } from './access.ts';
import { router } from './openapi-hono.ts';
import { conflictResponse, errorResponses, IdParam, json, jsonBody } from './schemas.ts';
import { ExecutionView } from './views.ts';

const StepParam = IdParam.extend({ stepId: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a step id like csm-assessment') });
const ExecutionResponse = z.object({ execution: ExecutionView });
const InputBody = z.object({ input: z.unknown() }).strict();
const SkipBody = z.object({ reason: z.string().trim().min(3, 'say why the step is skipped').max(500) }).strict();

/** The steps of a workflow execution: submit input, run, skip, go back; and the step library's input forms. */
export function stepsRouter(deps: Deps) {
  const app = router();

  const executionFor = (userId: string, id: string) => executionForUser(deps, userId, id);
  /** The execution's opportunity read fresh for a step operation, as the user may read it, its renewal date followed. */
  const freshContext = async (execution: ExecutionRow, userId: string) => {
    assertStepsOpen(execution);
    const ctx = await opportunityContext(deps, userId, execution.opportunityId);
    await followRenewalDate(deps, ctx);
    return ctx;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/steps/{stepId}/input',
      summary: "Submit the CSM's input for a step (validated against the step's schema, then analysed)",
      request: { params: StepParam, ...jsonBody(InputBody) },
      responses: { 200: json(ExecutionResponse, 'The execution with the step done'), ...conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { id, stepId } = c.req.valid('param');
      const execution = await executionFor(c.get('userId'), id);
      const updated = await submitStepInput(
        deps,
        execution,
        await freshContext(execution, c.get('userId')),
        stepId,
        c.req.valid('json').input,
      );
      return c.json({ execution: await executionView(deps, updated, c.get('userId')) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/steps/{stepId}/run',
      summary: "Run a step's analysis on fresh CRM data",
      request: { params: StepParam },
      responses: { 200: json(ExecutionResponse, 'The execution with the step result'), ...conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { id, stepId } = c.req.valid('param');
      const execution = await executionFor(c.get('userId'), id);
      const updated = await runStep(deps, execution, await freshContext(execution, c.get('userId')), stepId);
      return c.json({ execution: await executionView(deps, updated, c.get('userId')) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/steps/{stepId}/skip',
      summary: 'Skip a step with a reason (the plan lists it as not done)',
      request: { params: StepParam, ...jsonBody(SkipBody) },
      responses: { 200: json(ExecutionResponse, 'The execution with the step skipped'), ...conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { id, stepId } = c.req.valid('param');
      const execution = await executionFor(c.get('userId'), id);
      const updated = await skipStep(deps, execution, await freshContext(execution, c.get('userId')), stepId, c.req.valid('json').reason);
      return c.json({ execution: await executionView(deps, updated, c.get('userId')) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/steps/{stepId}/back',
      summary: 'Go back to a step: it and the automatic steps after it become pending again (inputs are kept)',
      request: { params: StepParam },
      responses: { 200: json(ExecutionResponse, 'The execution, now at that step'), ...conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { id, stepId } = c.req.valid('param');
      const execution = await executionFor(c.get('userId'), id);
      const updated = await goBackToStep(deps, execution, await freshContext(execution, c.get('userId')), stepId);
      return c.json({ execution: await executionView(deps, updated, c.get('userId')) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/steps/{stepId}/form',
      summary: "The JSON Schema of a step's CSM input, for the UI to render as a form (null when it takes none)",
      request: { params: StepParam },
      responses: {
        200: json(z.object({ stepId: z.string(), name: z.string(), description: z.string(), schema: z.unknown() }), 'The form'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id, stepId } = c.req.valid('param');
      const execution = await executionFor(c.get('userId'), id);
      const step = execution.steps.find((s) => s.id === stepId);
      const def = stepLibrary[stepId];
      if (!step || !def) throw notFound(`Step ${stepId} of execution ${id}`);
      return c.json({ stepId, name: step.name, description: def.description, schema: def.input ? z.toJSONSchema(def.input) : null }, 200);
    },
  );

  return app;
}
