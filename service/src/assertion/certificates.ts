import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A PEM block: a certificate, or (for a key made outside Salesforce) an SPKI public key. */
const PEM_BLOCK = /-----BEGIN (CERTIFICATE|PUBLIC KEY)-----[\s\S]+?-----END \1-----/g;

class AssertionCertificateError extends Error {
  override name = 'AssertionCertificateError';
}

/**
 * The public keys the user assertion may be signed with, from SALESFORCE_ASSERTION_CERT: PEM text (literal `\n`
 * accepted, as env files write it) or the path of a PEM file. Several certificates may follow one another, so a
 * rotation can add the new one before Apex switches to it. Each must hold an RSA key of 2048 bits or more (RS256).
 */
export function loadAssertionKeys(value: string): KeyObject[] {
  const text = pemText(value);
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0)
    throw new AssertionCertificateError('SALESFORCE_ASSERTION_CERT: holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  return blocks.map(([pem, kind = ''], i) => {
    let key: KeyObject;
    try {
      key = kind === 'CERTIFICATE' ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    } catch (err) {
      throw new AssertionCertificateError(
        `SALESFORCE_ASSERTION_CERT: block ${i + 1} is not a valid ${kind.toLowerCase()} (${(err as Error).message})`,
      );
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa' || bits < 2048)
      throw new AssertionCertificateError(`SALESFORCE_ASSERTION_CERT: block ${i + 1} must hold an RSA key of 2048 bits or more (RS256)`);
    return key;
  });
}

/**
 * When each certificate of SALESFORCE_ASSERTION_CERT expires (`validTo`), in the order given; a bare public key has no
 * expiry (undefined). Throws as loadAssertionKeys does when the value is not usable, so check with that first.
 */
export function assertionCertificateExpiries(value: string): (Date | undefined)[] {
  loadAssertionKeys(value);
  const text = pemText(value);
  return [...text.matchAll(PEM_BLOCK)].map(([pem, kind]) =>
    kind === 'CERTIFICATE' ? new Date(new X509Certificate(pem).validTo) : undefined,
  );
}

/** The PEM text of the setting: the value itself (literal `\n` accepted, as env files write it), or its file's. */
const pemText = (value: string): string => (value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : readPem(value));

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AssertionCertificateError(
      `SALESFORCE_ASSERTION_CERT: is neither PEM text nor a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
