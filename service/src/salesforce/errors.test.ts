import { describe, expect, it } from 'vitest';
import { kindOfCode, recordError, toSalesforceError } from './errors.ts';

describe('Salesforce error classification', () => {
  it.each([
    ['UNABLE_TO_LOCK_ROW', undefined, 'retryable'],
    ['SERVER_UNAVAILABLE', 503, 'retryable'],
    ['HTTP_429', 429, 'retryable'],
    ['HTTP_502', 502, 'retryable'],
    ['REQUEST_LIMIT_EXCEEDED', 403, 'rate_limited'],
    ['INVALID_SESSION_ID', 401, 'auth'],
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 400, 'permanent'],
    ['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 400, 'permanent'],
    ['MALFORMED_ID', 400, 'permanent'],
  ] as const)('%s (HTTP %s) is %s', (code, status, kind) => {
    expect(kindOfCode(code, status)).toBe(kind);
  });

  it("reads jsforce's HttpApiError (errorCode carried as the name)", () => {
    const err = Object.assign(new Error('unable to obtain exclusive access'), { name: 'UNABLE_TO_LOCK_ROW', statusCode: 400 });
    expect(toSalesforceError(err)).toMatchObject({ code: 'UNABLE_TO_LOCK_ROW', kind: 'retryable', status: 400 });
  });

  it('treats network failures as retryable', () => {
    const err = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    expect(toSalesforceError(err)).toMatchObject({ code: 'ECONNRESET', kind: 'retryable' });
    expect(toSalesforceError(new Error('socket hang up'))).toMatchObject({ code: 'NETWORK_ERROR', kind: 'retryable' });
  });

  it('turns a per-record failure of a 200 collection response into an error, and a success into none', () => {
    expect(recordError({ success: true, id: '00T000000000001AAA', errors: [] })).toBeUndefined();
    const err = recordError({ success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] }] });
    expect(err).toMatchObject({ code: 'UNABLE_TO_LOCK_ROW', kind: 'retryable' });
    expect(recordError({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Subject', fields: ['Subject'] }] })?.kind).toBe('permanent');
  });
});
