// Local Salesforce org emulator (not Salesforce): the two error shapes of the REST API.

/** A request-level error: HTTP status with body `[{ message, errorCode, fields }]`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  toBody() {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

/** A per-record DML error, as sObject collections report it (`statusCode`, not `errorCode`). */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** Thrown by the store when one record cannot be written; the route decides how to report it. */
export class RecordFailure extends Error {
  constructor(readonly error: RecordError) {
    super(error.message);
  }
}

export const recordError = (statusCode: string, message: string, fields: string[] = []): RecordFailure =>
  new RecordFailure({ statusCode, message, fields });

export const notFound = () => new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
