import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SALESFORCE_UNAVAILABLE'
  | 'SALESFORCE_REJECTED'
  | 'PLAN_INVALID'
  | 'INTERNAL';

import type { Issue } from './domain-errors.ts';

/**
 * An HTTP-only error (authentication, body limits, an unconfigured webhook) with the one response shape:
 * `{ error: { code, message, issues, requestId } }`. The domain throws domain errors instead (domain-errors.ts).
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly issues: Issue[] = [],
    /** Response headers that go with the error (Retry-After of a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
  }
}
