import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrgEmulator } from '../../../dev/org-emulator/index.ts';
import { startDemoOrg } from '../../../dev/demo-seed/index.ts';
import { TODAY } from '../../../dev/org-emulator/test-support.ts';
import { connectSalesforce } from './connection.ts';
import { toSalesforceError } from './errors.ts';
import type { Connection } from 'jsforce';

/**
 * The contract between jsforce (pinned exactly in package.json) and the classification in errors.ts: the fields of the
 * errors jsforce itself throws, through the service's connection adapter, for the answers Salesforce and its proxies
 * give (org emulator faults). toSalesforceError reads `name`/`errorCode`, `message`, `statusCode` and `retryAfter`;
 * when a jsforce release changes any of them, this test fails before the classification silently does.
 */
describe('jsforce error shapes (contract)', () => {
  let org: OrgEmulator;
  let conn: Connection;
  beforeAll(async () => {
    org = await startDemoOrg({ today: TODAY });
    conn = await connectSalesforce({ mode: 'emulator', apiVersion: '62.0' }, { url: org.url, accessToken: 'test-token' });
  });
  afterAll(() => org.close());

  /** What a create (POST: jsforce never retries it) throws when the org answers with `fault`. */
  async function thrown(fault: Omit<Parameters<OrgEmulator['injectFault']>[0], 'count'>): Promise<Record<string, unknown>> {
    org.injectFault({ ...fault, count: 1, methods: ['POST'] });
    const err = await conn
      .sobject('Task')
      .create({ Subject: 'contract' })
      .then(
        () => expect.fail('the create should have failed'),
        (e: unknown) => e as Error,
      );
    return { class: err.constructor.name, ...Object.fromEntries(Object.entries(err)), name: err.name, message: err.message };
  }

  it('400 with a Salesforce JSON error: name and errorCode are the code, the status is kept', async () => {
    const err = await thrown({ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', status: 400, message: 'Due date required' });
    expect(err).toMatchObject({
      class: 'HttpApiError',
      name: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Due date required',
      statusCode: 400,
    });
    expect(err.retryAfter).toBeUndefined();
    expect(toSalesforceError(err)).toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', kind: 'permanent', status: 400 });
  });

  it('HTML 503 page: ERROR_HTTP_503 from jsforce, the status from the adapter', async () => {
    const err = await thrown({ errorCode: 'SERVER_UNAVAILABLE', status: 503, body: 'html' });
    expect(err).toMatchObject({ class: 'HttpApiError', name: 'ERROR_HTTP_503', errorCode: 'ERROR_HTTP_503', statusCode: 503 });
    expect(toSalesforceError(err)).toMatchObject({ code: 'ERROR_HTTP_503', kind: 'retryable', status: 503 });
  });

  it('401 INVALID_SESSION_ID (no refresh on a token login): an auth error', async () => {
    const err = await thrown({ errorCode: 'INVALID_SESSION_ID', status: 401 });
    expect(err).toMatchObject({ class: 'HttpApiError', name: 'INVALID_SESSION_ID', errorCode: 'INVALID_SESSION_ID', statusCode: 401 });
    expect(toSalesforceError(err)).toMatchObject({ kind: 'auth', status: 401 });
  });

  it('429 with Retry-After: the header reaches the error and the classification', async () => {
    const err = await thrown({ errorCode: 'REQUEST_LIMIT_EXCEEDED', status: 429, body: 'html', retryAfter: 7 });
    expect(err).toMatchObject({ class: 'HttpApiError', name: 'ERROR_HTTP_429', statusCode: 429, retryAfter: '7' });
    expect(toSalesforceError(err)).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 7_000 });
  });

  it('a success carries nothing over to the next error (each request keeps its own response)', async () => {
    await conn.sobject('Task').create({ Subject: 'fine' });
    const err = await thrown({ errorCode: 'UNABLE_TO_LOCK_ROW', status: 400 });
    expect(err).toMatchObject({ name: 'UNABLE_TO_LOCK_ROW', statusCode: 400 });
    expect(err.retryAfter).toBeUndefined();
  });
});
