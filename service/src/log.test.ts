import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

describe('logger', () => {
  it('redacts the value under a secret key among the fields and in headers; deeper, the shape rules still apply', () => {
    const lines: string[] = [];
    createLogger('info', (l) => lines.push(l)).info('call', {
      authorization: 'Bearer abc',
      apiKey: 'k',
      headers: { 'x-salesforce-assertion': 'abc.def.ghi', accept: 'application/json' },
      nested: { list: [{ note: 'provider said: key sk-RTCA1234567 refused' }], ok: 1 },
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      authorization: '[redacted]',
      apiKey: '[redacted]',
      headers: { 'x-salesforce-assertion': '[redacted]', accept: 'application/json' },
      nested: { list: [{ note: 'provider said: key [redacted] refused' }], ok: 1 },
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

  it('puts a child logger’s context on each of its lines, with the same redaction', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l)).child({ channel: '/data/TaskChangeEvent' });
    log.info('subscribed', { token: 'abc' });
    log.warn('down', { error: 'Incorrect API key provided: sk-RTCA1234567' });
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { channel: '/data/TaskChangeEvent', msg: 'subscribed', token: '[redacted]' },
      { channel: '/data/TaskChangeEvent', level: 'warn', error: 'Incorrect API key provided: [redacted]' },
    ]);
  });
});
