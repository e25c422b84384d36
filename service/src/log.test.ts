import { describe, expect, it } from 'vitest';
import { createLogger, redact } from './log.ts';

describe('logger', () => {
  it('redacts secret-looking keys at any depth', () => {
    expect(redact({ authorization: 'Bearer abc', nested: { accessToken: 'x', list: [{ apiKey: 'k' }], ok: 1 } })).toEqual({
      authorization: '[redacted]',
      nested: { accessToken: '[redacted]', list: [{ apiKey: '[redacted]' }], ok: 1 },
    });
  });

  it('writes one JSON line per event at or above its level', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.info('hidden');
    log.warn('shown', { SF_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----', count: 2 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'shown', SF_PRIVATE_KEY: '[redacted]', count: 2 });
  });
});
