import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

/** What a real org's configuration carries for the signed user assertion (the file is read at start, not here). */
const ASSERTION = { SALESFORCE_ASSERTION_CERT: 'config/org-certificate.pem', SERVICE_AUDIENCE: 'https://rap.example.com' };

describe('loadConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.salesforce.mode).toBe('emulator');
    expect(c.env.PORT).toBe(3000);
    expect(c.env.DATABASE_URL).toBeUndefined();
    expect(c.env.SERVICE_API_KEY).toBeUndefined();
  });

  it('names the variable and what is wrong with it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(/PORT: .*number/i);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrowError(/DATABASE_URL: must start with postgres:\/\//);
    expect(() => loadConfig({ SERVICE_API_KEY: 'short' })).toThrowError(/SERVICE_API_KEY: must be at least 32 characters/);
    expect(() => loadConfig({ HOLIDAY_COUNTRY: 'usa' })).toThrowError(/HOLIDAY_COUNTRY/);
    expect(() => loadConfig({ TODAY: '25/11/2026' })).toThrowError(/TODAY: must be a date/);
    expect(() => loadConfig({ MIRROR_RETRY_MAX_SECONDS: '7200' })).toThrowError(/MIRROR_RETRY_MAX_SECONDS/);
    expect(() => loadConfig({ MIRROR_RETRY_BASE_SECONDS: '600', MIRROR_RETRY_MAX_SECONDS: '60' })).toThrowError(
      /MIRROR_RETRY_BASE_SECONDS: must not exceed/,
    );
    expect(() => loadConfig({ MIRROR_STUCK_AFTER_MINUTES: '0' })).toThrowError(/MIRROR_STUCK_AFTER_MINUTES/);
    expect(() => loadConfig({ GENERATION_DEADLINE_SECONDS: '600' })).toThrowError(
      /GENERATION_DEADLINE_SECONDS: must be at most 110 .*grammar/,
    );
    expect(loadConfig({ GENERATION_DEADLINE_SECONDS: '600', OPENAI_PROFILE: 'grammar' }).env.GENERATION_DEADLINE_SECONDS).toBe(600);
    expect(() => loadConfig({ GENERATION_DEADLINE_SECONDS: '1801', OPENAI_PROFILE: 'grammar' })).toThrowError(
      /GENERATION_DEADLINE_SECONDS/,
    );
    expect(() => loadConfig({ MODEL_MASKING: 'maybe' })).toThrowError(/MODEL_MASKING/);
    expect(loadConfig({}).env).toMatchObject({
      MIRROR_RETRY_MAX_SECONDS: 3600,
      MIRROR_STUCK_AFTER_MINUTES: 60,
      SF_WRITE_PAUSE_SECONDS: 900,
    });
  });

  it('requires the access token and instance URL together, and an API key for a real org', () => {
    expect(() => loadConfig({ SF_INSTANCE_URL: 'https://acme.my.salesforce.com' })).toThrowError(/SF_ACCESS_TOKEN: is required/);
    expect(() => loadConfig({ SF_INSTANCE_URL: 'https://acme.my.salesforce.com', SF_ACCESS_TOKEN: 'x' })).toThrowError(
      /SERVICE_API_KEY: is required when a real Salesforce org/,
    );
    const c = loadConfig({
      SF_INSTANCE_URL: 'https://acme.my.salesforce.com',
      SF_ACCESS_TOKEN: 'tok',
      SERVICE_API_KEY: 'k'.repeat(40),
      ...ASSERTION,
    });
    expect(c.salesforce).toMatchObject({ mode: 'token', instanceUrl: 'https://acme.my.salesforce.com' });
  });

  it("refuses a real org without the assertion's certificate, unless the development escape hatch is set", () => {
    const org = { SF_INSTANCE_URL: 'https://acme.my.salesforce.com', SF_ACCESS_TOKEN: 'tok', SERVICE_API_KEY: 'k'.repeat(40) };
    expect(() => loadConfig(org)).toThrowError(/SALESFORCE_ASSERTION_CERT: is required when a real Salesforce org is configured/);
    expect(() => loadConfig({ ...org, SALESFORCE_ASSERTION_CERT: 'cert.pem' })).toThrowError(/SERVICE_AUDIENCE: is required/);
    expect(() => loadConfig({ ...org, ...ASSERTION, SERVICE_TRUST_HEADER_ONLY: 'true' })).toThrowError(/choose one/);
    expect(() => loadConfig({ ...org, SF_ORG_ID: '005000000000001' })).toThrowError(/SF_ORG_ID: must be an org id/);
    expect(loadConfig({ ...org, SERVICE_TRUST_HEADER_ONLY: 'true' }).env.SERVICE_TRUST_HEADER_ONLY).toBe(true);
    // The embedded mode makes its own demo certificate.
    expect(loadConfig({}).env.SERVICE_TRUST_HEADER_ONLY).toBe(false);
    expect(loadConfig({}).env.SALESFORCE_ASSERTION_CERT).toBeUndefined();
  });

  it('validates the JWT flow settings', () => {
    expect(() => loadConfig({ SF_CLIENT_ID: 'cid', SERVICE_API_KEY: 'k'.repeat(40), ...ASSERTION })).toThrowError(
      /SF_USERNAME: is required/,
    );
    expect(() =>
      loadConfig({ SF_CLIENT_ID: 'c', SF_USERNAME: 'u', SF_PRIVATE_KEY: 'not a key', SERVICE_API_KEY: 'k'.repeat(40), ...ASSERTION }),
    ).toThrowError(/SF_PRIVATE_KEY: is not a PEM private key/);
    expect(() =>
      loadConfig({
        SF_CLIENT_ID: 'c',
        SF_USERNAME: 'u',
        SF_PRIVATE_KEY_FILE: '/nonexistent/key.pem',
        SERVICE_API_KEY: 'k'.repeat(40),
        ...ASSERTION,
      }),
    ).toThrowError(/SF_PRIVATE_KEY_FILE: cannot be read/);
  });

  it('never echoes a secret value in its error message', () => {
    try {
      loadConfig({ SERVICE_API_KEY: 'super-secret-but-short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toContain('super-secret-but-short');
    }
  });
});

describe('config/.env.example', () => {
  it('documents every variable the schema reads, and nothing else', async () => {
    const { readFileSync } = await import('node:fs');
    const { EnvSchema } = await import('./config.ts');
    const example = readFileSync(new URL('../../config/.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]).sort();
    const inner = (EnvSchema as unknown as { _zod: { def: { in?: { shape: object }; shape?: object } } })._zod.def;
    const shape = inner.shape ?? inner.in?.shape ?? {};
    expect(documented).toEqual(Object.keys(shape).sort());
    expect(() => loadConfig(Object.fromEntries([...example.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]])))).not.toThrow();
  });
});
