import { describe, expect, it } from 'vitest';
import { jwtAudience } from './connection.ts';

describe('jwtAudience', () => {
  it.each([
    ['https://login.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.com/', 'https://login.salesforce.com'],
    ['http://127.0.0.1:4400', 'https://login.salesforce.com'],
    ['https://test.salesforce.com', 'https://test.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com', 'https://test.salesforce.com'],
    ['https://acme--uat.my.salesforce.com', 'https://test.salesforce.com'],
  ])('is the authorization server for %s, never the My Domain URL', (loginUrl, audience) => {
    expect(jwtAudience(loginUrl)).toBe(audience);
  });
});
