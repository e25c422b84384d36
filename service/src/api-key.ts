import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file, inside DATA_DIR, where the embedded mode keeps the API key it generated. */
export const API_KEY_FILE = 'service-api-key';

/**
 * The embedded mode's API key: the one generated on the first start, read back from DATA_DIR on every later start, so
 * preview links and exported keys keep working across restarts. The file is readable by its owner only (0600); a
 * file that holds no usable key (emptied, truncated) is replaced by a new key.
 */
export function storedApiKey(dataDir: string): string {
  const file = join(dataDir, API_KEY_FILE);
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 32) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
  return key;
}
