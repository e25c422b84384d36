import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** The files, inside DATA_DIR, of the embedded mode's assertion key: the private key (0600) and its certificate. */
export const DEMO_ASSERTION_KEY_FILE = 'assertion-demo-key.pem';
export const DEMO_ASSERTION_CERT_FILE = 'assertion-demo-cert.pem';

export interface DemoAssertionKey {
  privateKey: KeyObject;
  /** The self-signed certificate, PEM: what the service trusts, as it would trust the org's certificate. */
  certificate: string;
}

/**
 * The embedded mode's stand-in for the org certificate Apex signs with: an RSA key pair made by Node's crypto and a
 * self-signed X.509 certificate (the `selfsigned` package) kept in DATA_DIR, made on the first start and read back
 * after. The private key is readable by its owner only and never leaves the server. A pair that does not match (one
 * file replaced or truncated) is made anew.
 */
export async function storedDemoAssertionKey(dataDir: string, now: Date): Promise<DemoAssertionKey> {
  const keyFile = join(dataDir, DEMO_ASSERTION_KEY_FILE);
  const certFile = join(dataDir, DEMO_ASSERTION_CERT_FILE);
  const stored = readPair(keyFile, certFile);
  if (stored) return stored;
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const made = await generate([{ name: 'commonName', value: 'Renewal Action Plans demo assertion' }], {
    keyPair: pair,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 86_400_000),
    notAfterDate: new Date(now.getTime() + 10 * 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
    ],
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(keyFile, pair.privateKey, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // an existing file keeps its mode on write
  writeFileSync(certFile, made.cert);
  return { privateKey: createPrivateKey(pair.privateKey), certificate: made.cert };
}

/** The stored pair, when both files are there and the certificate holds the key's public half. */
function readPair(keyFile: string, certFile: string): DemoAssertionKey | undefined {
  try {
    const privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
    const certificate = readFileSync(certFile, 'utf8');
    return new X509Certificate(certificate).checkPrivateKey(privateKey) ? { privateKey, certificate } : undefined;
  } catch {
    return undefined;
  }
}
