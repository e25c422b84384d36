import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { invalidInput } from '../domain-errors.ts';
import { MAX_OFFSET, PORTFOLIO_SORTS, portfolioPage } from '../portfolio/book.ts';
import { RISK_FLAGS } from '../portfolio/risk-rules.ts';
import { StageId, STAGE_IDS } from '../stages/stages.ts';
import { router } from './openapi-hono.ts';
import { errorResponses, json } from './schemas.ts';

/** A page cursor: the offset of the next page and the query it belongs to, so it cannot be reused on another. */
const encodeCursor = (offset: number, query: string) => Buffer.from(JSON.stringify({ o: offset, q: query })).toString('base64url');
const Cursor = z.string().transform((value, ctx) => {
  try {
    const parsed = z
      .object({ o: z.number().int().min(1).max(MAX_OFFSET), q: z.string() })
      .parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return { offset: parsed.o, query: parsed.q };
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this endpoint' });
    return z.NEVER;
  }
});

const PortfolioQuery = z
  .object({
    owner: z.enum(['me', 'team']).default('me'),
    stage: StageId.optional(),
    risk: z.enum([...RISK_FLAGS, 'any']).optional(),
    sort: z.enum(PORTFOLIO_SORTS).default('daysToRenewal'),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    cursor: Cursor.optional(),
  })
  .strict();

const Row = z.object({
  opportunityId: z.string(),
  name: z.string(),
  account: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
  owner: z.object({ id: z.string(), name: z.string() }),
  amount: z.number().nullable(),
  renewalDate: z.string(),
  daysToRenewal: z.number().int(),
  stage: z.object({ id: z.enum(STAGE_IDS), name: z.string(), urgency: z.string() }),
  planStatus: z.enum(['none', 'draft', 'finalized', 'needs-replan']),
  openTasks: z.number().int(),
  overdueTasks: z.number().int(),
  failedAiTasks: z.number().int(),
  lastEngagement: z.string().nullable(),
  risks: z.array(z.object({ flag: z.enum(RISK_FLAGS), reason: z.string() })),
});
/** One page of the book of renewals, as the API answers it. */
export const PortfolioPage = z.object({
  rows: z.array(Row),
  nextCursor: z.string().nullable(),
  withheld: z
    .array(z.object({ field: z.string(), label: z.string(), message: z.string() }))
    .describe("Columns the user's field-level security hides (empty in every row; a hidden amount does not order the book)"),
});

/**
 * The book of renewals: the acting user's open renewal opportunities (`owner=me`) or their team's (`owner=team`: the
 * users whose Salesforce manager, `User.ManagerId`, is the acting user; a user who manages no one has an empty team),
 * only those the acting user can see, with plan and task state and risk flags.
 */
export function portfolioRouter(deps: Deps) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'The book of renewals: open renewals by days to renewal, with plan status, tasks and risk flags',
      request: { query: PortfolioQuery },
      responses: {
        200: json(PortfolioPage, 'One page of the book'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const key = [q.owner, q.stage ?? '', q.risk ?? '', q.sort, q.pageSize].join('|');
      if (q.cursor && q.cursor.query !== key) {
        const message = 'belongs to another query (owner, stage, risk, sort and pageSize must stay the same)';
        throw invalidInput(`query.cursor ${message}`, [{ path: 'query.cursor', message }]);
      }
      const page = await portfolioPage(deps, {
        userId: c.get('userId'),
        owner: q.owner,
        stage: q.stage,
        risk: q.risk,
        sort: q.sort,
        pageSize: q.pageSize,
        offset: q.cursor?.offset ?? 0,
      });
      return c.json(
        { rows: page.rows, nextCursor: page.nextOffset === null ? null : encodeCursor(page.nextOffset, key), withheld: page.withheld },
        200,
      );
    },
  );
  return app;
}
