import { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv } from '../auth.ts';
import { invalidInput } from '../domain-errors.ts';

const SOURCE: Record<string, string> = { json: 'body', param: 'path', query: 'query', header: 'header' };

/** An OpenAPIHono router whose validation failures become the one 400 shape, naming each bad field. */
export function router() {
  return new OpenAPIHono<AuthEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const where = SOURCE[result.target] ?? result.target;
      const issues = result.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message }));
      throw invalidInput(`Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    },
  });
}
