// Local Salesforce org emulator (not Salesforce): record ids in Salesforce's format.

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

/** The 3-character case-safe suffix Salesforce appends to a 15-character id. */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET.charAt(flags);
  }
  return suffix;
}

/**
 * A deterministic, valid 18-character id: key prefix, a fixed pod, n in base 62, checksum.
 * @example salesforceId('006', 1) === '0065e0000000001AAA'
 */
export function salesforceId(prefix: string, n: number): string {
  if (!/^[a-zA-Z0-9]{3}$/.test(prefix)) throw new Error(`Invalid key prefix: ${prefix}`);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Invalid id number: ${n}`);
  let body = '';
  for (let rest = n; rest > 0; rest = Math.floor(rest / 62)) body = BASE62.charAt(rest % 62) + body;
  if (body.length > 10) throw new Error(`Id number too large: ${n}`);
  const id15 = `${prefix}5e${body.padStart(10, '0')}`;
  return id15 + idChecksum(id15);
}

/** The 18-character form of a 15- or 18-character id, or undefined when it is not a valid id. */
export function toId18(value: string): string | undefined {
  if (ID15.test(value)) return value + idChecksum(value);
  if (ID18.test(value)) {
    const id15 = value.slice(0, 15);
    return value.slice(15).toUpperCase() === idChecksum(id15) ? id15 + idChecksum(id15) : undefined;
  }
  return undefined;
}

/** Whether two ids denote the same record (15- and 18-character forms compare equal). */
export function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
