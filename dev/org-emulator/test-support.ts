// Local Salesforce org emulator (not Salesforce): helpers shared by the emulator's own tests.

import { Connection } from 'jsforce';
import { expect } from 'vitest';
import type { OrgEmulator } from './index.ts';

/** The fixed "today" of most emulator tests: relative seed dates resolve against it. */
export const TODAY = new Date('2026-11-25T10:00:00Z');

/** A real jsforce 3 connection to the emulator. */
export function connect(org: OrgEmulator, accessToken = 'test-token'): Connection {
  return new Connection({ instanceUrl: org.url, accessToken, version: '62.0' });
}

interface ApiFailure extends Error {
  errorCode?: string;
  data?: unknown;
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function failureOf(promise: PromiseLike<unknown>): Promise<ApiFailure> {
  try {
    await promise;
  } catch (err) {
    return err as ApiFailure;
  }
  expect.fail('expected the call to fail, but it succeeded');
}

/** Names of query result records, in order. */
export const names = (records: { Name?: unknown }[]) => records.map((r) => r.Name);

/**
 * The first error's statusCode of each save result. Collections report `statusCode` on the wire,
 * although jsforce's SaveError type calls it errorCode.
 */
export const statusCodes = (results: { errors: unknown[] }[]) =>
  results.map((r) => (r.errors[0] as { statusCode?: string } | undefined)?.statusCode);
