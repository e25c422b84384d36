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

export interface Issue {
  path: string;
  message: string;
}

/** An error with the one response shape: `{ error: { code, message, issues, requestId } }`. */
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

export const badRequest = (message: string, issues: Issue[] = []) => new ApiError(400, 'VALIDATION_FAILED', message, issues);
export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} was not found`);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
export const conflict = (message: string) => new ApiError(409, 'CONFLICT', message);
/** 429 with `Retry-After` in whole seconds (at least 1). */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, 'RATE_LIMITED', message, [], { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
