import { describe, expect, it } from 'vitest';
import { redactSecrets, redactSecretsIn } from './secrets.ts';

describe('redactSecrets', () => {
  it.each([
    ['Incorrect API key provided: sk-RTCA********************************abcd. You can find your API key at ...', 'sk-RTCA'],
    ['Incorrect API key provided: sk-proj-AbCdEf0123456789AbCdEf0123456789', 'sk-proj-AbCd'],
    ['assertion eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl rejected', 'eyJhbGciOiJSUzI1NiJ9'],
    ['Session 00D5e0000000001!AQ4AQFqx.example_token expired', '!AQ4AQFqx'],
    ['Authorization: Bearer abcdefghijklmnop0123', 'abcdefghijklmnop0123'],
    ['retry with api_key=supersecretvalue&x=1', 'supersecretvalue'],
    ['{"client_secret": "s3cr3t-value"}', 's3cr3t-value'],
    ['key 9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928 leaked', '9f8e7d6c5b4a3928'],
    ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----', 'MIIEvQIBADANBg'],
  ])('removes the secret from %j', (text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('keeps the words, task ids and Salesforce record ids an operator needs', () => {
    const text =
      'Task 4aed39d7-6f8c-4b34-8794-65b69c18bca6 on 0065e0000000001AAA failed: UNABLE_TO_LOCK_ROW: unable to obtain exclusive access';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactSecretsIn', () => {
  it('redacts every string of a record, keeping its shape, keys, numbers and dates', () => {
    const at = new Date('2026-11-25T12:00:00Z');
    const record = {
      planner: 'playbook',
      fallbackReason: 'HTTP 401: Incorrect API key provided: sk-RTCAq7ZrT1mPx9',
      llm: { rejections: [{ call: 1, errors: ['token=abcd1234efgh'] }], at },
      calls: 2,
      none: null,
    };
    expect(redactSecretsIn(record)).toEqual({
      planner: 'playbook',
      fallbackReason: 'HTTP 401: Incorrect API key provided: [redacted]',
      llm: { rejections: [{ call: 1, errors: ['token=[redacted]'] }], at },
      calls: 2,
      none: null,
    });
    expect(redactSecretsIn(null)).toBeNull();
  });
});
