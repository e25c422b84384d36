import type { MiddlewareHandler } from 'hono';
import { invalidInput } from '../domain-errors.ts';
import { unstorableJson } from '../storable.ts';

/** The parsed body, or the one 400 shape naming where it cannot be stored. */
export function requireStorableJson<T>(value: T, root = 'body'): T {
  const issue = unstorableJson(value, root);
  if (issue) throw invalidInput(`Invalid request: ${issue.path}: ${issue.message}`, [issue]);
  return value;
}

const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;

/**
 * For every JSON request body the routes will read (the same media types their validators parse): not JSON is a
 * 400, and so is anything unstorable, before any handler runs, so nothing is written.
 */
export const storableJsonBody: MiddlewareHandler = async (c, next) => {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (JSON_MEDIA.test(mediaType)) {
    const text = await c.req.text();
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw invalidInput('The request body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
      }
      requireStorableJson(body);
    }
  }
  await next();
};
