import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_FILE, storedApiKey } from '../../service/src/api-key.ts';
import { DEMO_ASSERTION_CERT_FILE, DEMO_ASSERTION_KEY_FILE, storedDemoAssertionKey } from '../../service/src/assertion/demo-key.ts';
import { loadConfig } from '../../service/src/config.ts';
import { createLogger } from '../../service/src/log.ts';
import { startService } from '../../service/src/server.ts';
import { freshDatabase } from '../../testkit/database.ts';

/** A newcomer's first `npm start`s: a key that survives a restart, and a busy port said in one line. */
describe('first run', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataDir: string;
  const config = (env: Record<string, string> = {}) =>
    loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0', EXECUTOR_ENABLED: 'false', LOG_LEVEL: 'silent', ...env });

  beforeAll(async () => {
    db = await freshDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'rap-first-run-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the generated API key in the data directory, readable by its owner only, across restarts', async () => {
    const first = await startService(config(), createLogger('silent'));
    await first.close();
    const second = await startService(config(), createLogger('silent'));
    await second.close();
    expect(first.generatedApiKey).toBe(true);
    expect(second.deps.apiKey).toBe(first.deps.apiKey);
    expect(first.deps.apiKey.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dataDir, API_KEY_FILE)).mode & 0o777).toBe(0o600);
    // So does the demo key that signs the preview's user assertions (a restart keeps the same certificate).
    expect(second.demoKey!.certificate).toBe(first.demoKey!.certificate);
    expect(statSync(join(dataDir, DEMO_ASSERTION_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('makes a new demo assertion key pair when its files no longer match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rap-first-run-'));
    const made = await storedDemoAssertionKey(dir, new Date('2026-11-25T12:00:00Z'));
    expect((await storedDemoAssertionKey(dir, new Date('2026-11-25T12:00:00Z'))).certificate).toBe(made.certificate);
    writeFileSync(join(dir, DEMO_ASSERTION_CERT_FILE), 'truncated');
    const remade = await storedDemoAssertionKey(dir, new Date('2026-11-25T12:00:00Z'));
    expect(remade.certificate).not.toBe(made.certificate);
    expect(new X509Certificate(remade.certificate).checkPrivateKey(remade.privateKey)).toBe(true);
    expect(statSync(join(dir, DEMO_ASSERTION_KEY_FILE)).mode & 0o777).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses SERVICE_API_KEY when set, and writes no key file for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rap-first-run-'));
    const service = await startService(
      config({ DATA_DIR: dir, SERVICE_API_KEY: 'a-configured-key-0123456789abcdefghij' }),
      createLogger('silent'),
    );
    await service.close();
    expect(service.deps.apiKey).toBe('a-configured-key-0123456789abcdefghij');
    expect(() => statSync(join(dir, API_KEY_FILE))).toThrow();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces a key file that holds no usable key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rap-first-run-'));
    writeFileSync(join(dir, API_KEY_FILE), 'short\n', { mode: 0o644 });
    const key = storedApiKey(dir);
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(storedApiKey(dir)).toBe(key);
    expect(statSync(join(dir, API_KEY_FILE)).mode & 0o777).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('on a busy port', () => {
    let busy: Server;
    beforeAll(() => new Promise<void>((resolve) => (busy = createServer().listen(0, '127.0.0.1', resolve))));
    afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

    it('refuses to start with one line naming the port, and leaves nothing running', async () => {
      const { port } = busy.address() as AddressInfo;
      const err = await startService(config({ PORT: String(port) }), createLogger('silent')).then(
        () => expect.fail('started on a busy port'),
        (e: Error) => e,
      );
      expect(err.message).toBe(`port ${port} on 127.0.0.1 is already in use (another npm start?): stop it, or set PORT to a free port`);
      expect(err.message).not.toContain('\n');
    });

    it('finds the busy port before anything is created: an embedded start leaves no DATA_DIR behind', async () => {
      const { port } = busy.address() as AddressInfo;
      const fresh = join(dataDir, 'fresh-data-dir');
      const env = { DATA_DIR: fresh, PORT: String(port), EXECUTOR_ENABLED: 'false', LOG_LEVEL: 'silent' };
      const err = await startService(loadConfig(env), createLogger('silent')).then(
        () => expect.fail('started on a busy port'),
        (e: Error) => e,
      );
      expect(err.message).toBe(`port ${port} on 127.0.0.1 is already in use (another npm start?): stop it, or set PORT to a free port`);
      expect(existsSync(fresh)).toBe(false);
    });
  });
});
