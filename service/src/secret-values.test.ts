import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { MIN_SECRET_LENGTH, redactSecretValuesIn, SecretValues, secretValues, secretValuesOf, useSecretValues } from './secret-values.ts';
import { redactSecrets } from './secrets.ts';

describe('secret values', () => {
  let previous: SecretValues;
  beforeEach(() => {
    previous = useSecretValues(new SecretValues());
  });
  afterEach(() => {
    useSecretValues(previous);
  });

  it('are every setting named *_KEY, *_SECRET, *_TOKEN or *_PASSWORD, and the database URL password', () => {
    const values = secretValuesOf({
      SERVICE_API_KEY: 'service-key-of-any-shape-0001',
      MAILGUN_WEBHOOK_SIGNING_KEY: 'mg-signing',
      SF_ACCESS_TOKEN: '00Dxx!token',
      A_FUTURE_CLIENT_SECRET: 'future-secret',
      SMTP_PASSWORD: 'smtp-pass-1',
      DATABASE_URL: 'postgres://rap:p%40ss-w0rd-db@db.example.com:5432/rap',
      OPENAI_MODEL: 'gpt-4o-mini',
      HOST: '127.0.0.1',
    });
    expect(values).toEqual(
      expect.arrayContaining([
        'service-key-of-any-shape-0001',
        'mg-signing',
        '00Dxx!token',
        'future-secret',
        'smtp-pass-1',
        'p@ss-w0rd-db',
      ]),
    );
    expect(values).not.toContain('gpt-4o-mini');
    expect(values).not.toContain('127.0.0.1');
  });

  it('joins the registry when the configuration is loaded, the JWT private key read from its file included', () => {
    loadConfig({ OPENAI_API_KEY: 'vllm-3f9-local-key', DATABASE_URL: 'postgres://u:db-password-77@localhost/x' });
    expect(redactSecrets('401: Invalid API key: vllm-3f9-local-key')).toBe('401: Invalid API key: [redacted]');
    expect(redactSecrets('connect failed for u:db-password-77@localhost')).toBe('connect failed for u:[redacted]@localhost');
    const dir = mkdtempSync(join(tmpdir(), 'rap-key-'));
    const file = join(dir, 'server.key');
    writeFileSync(file, '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw\n-----END PRIVATE KEY-----\n');
    try {
      loadConfig({
        SF_CLIENT_ID: 'client',
        SF_USERNAME: 'integration@example.com',
        SF_PRIVATE_KEY_FILE: file,
        SERVICE_API_KEY: 'a-service-key-of-thirty-two-chars!',
        // A real org needs the assertion certificate (docs/trust.md); this test is about the private key only.
        SERVICE_TRUST_HEADER_ONLY: 'true',
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
    expect(redactSecrets('key body MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw')).toBe('key body [redacted]');
    expect(redactSecrets('sent a-service-key-of-thirty-two-chars!')).toBe('sent [redacted]');
  });

  it(`ignores values shorter than ${MIN_SECRET_LENGTH} characters, which would garble ordinary words`, () => {
    secretValues().add('test', 'admin12', 'exactly8');
    expect(redactSecrets('test admin12 exactly8')).toBe('test admin12 [redacted]');
  });

  it('finds a value escaped inside JSON or a URL, and each line of a PEM body', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    secretValues().add('quote"and\\slash key', pem);
    expect(secretValues().redact(JSON.stringify({ message: 'bad key quote"and\\slash key' }))).toBe('{"message":"bad key [redacted]"}');
    expect(secretValues().redact(`https://x.test/?k=${encodeURIComponent('quote"and\\slash key')}`)).toBe('https://x.test/?k=[redacted]');
    expect(secretValues().redact('line MIIEvQIBADANBgkqhkiG9w0BAQEFAASC quoted')).toBe('line [redacted] quoted');
  });

  it('are removed from stored records, keeping their shape, numbers and dates', () => {
    secretValues().add('vllm-3f9-local-key');
    const at = new Date('2026-11-25T12:00:00Z');
    expect(redactSecretValuesIn({ note: 'key vllm-3f9-local-key', list: ['vllm-3f9-local-key'], n: 2, at })).toEqual({
      note: 'key [redacted]',
      list: ['[redacted]'],
      n: 2,
      at,
    });
  });

  it('never reach a log line, under any field name, key or nesting', () => {
    secretValues().add('vllm-3f9-local-key');
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    log.warn('model call failed: vllm-3f9-local-key', {
      detail: { text: 'echo vllm-3f9-local-key' },
      ['vllm-3f9-local-key']: 1,
      list: [new Error('bad vllm-3f9-local-key')],
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('vllm-3f9-local-key');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'model call failed: [redacted]', detail: { text: 'echo [redacted]' } });
  });
});
