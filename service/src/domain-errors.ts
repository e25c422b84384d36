/**
 * The errors of the domain (workflows, plans, the queue), which knows nothing of HTTP. The app's one error handler
 * maps them to responses; a schedule, the executor or a script catches them like any error.
 */

/** One problem with an input, by where it is. */
export interface Issue {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  constructor(
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

/** A record the operation needs does not exist. */
export class NotFound extends DomainError {
  override name = 'NotFound';
}

/** The operation does not fit the current state (a finalized plan, a running task...). */
export class Conflict extends DomainError {
  override name = 'Conflict';
}

/** The input is not acceptable; `issues` say where. */
export class InvalidInput extends DomainError {
  override name = 'InvalidInput';
}

/** The user may not do this. */
export class Forbidden extends DomainError {
  override name = 'Forbidden';
}

/** Too many of these operations; try again after `retryAfterSeconds`. */
export class RateLimited extends DomainError {
  override name = 'RateLimited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new NotFound(`${what} was not found`);
export const conflict = (message: string) => new Conflict(message);
export const invalidInput = (message: string, issues: Issue[] = []) => new InvalidInput(message, issues);
export const forbidden = (message: string) => new Forbidden(message);
export const rateLimited = (message: string, retryAfterSeconds: number) => new RateLimited(message, retryAfterSeconds);
