import { z } from 'zod';
import { SalesforceError } from './errors.ts';

/** Salesforce record ids: one module for their format, normalization and comparison. */

/** The shape of a Salesforce id: 15 letters and digits, or 18 with the case-safe suffix. */
export const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

/** The 3-character suffix Salesforce appends to make a 15-character id case-insensitive. */
function caseSafeSuffix(id15: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += alphabet.charAt(bits);
  }
  return suffix;
}

/**
 * The 18-character form of a 15- or 18-character id, or undefined when it is not an id (an 18-character id must
 * carry the suffix its first 15 characters give).
 * @example toId18('0065e0000000001') === '0065e0000000001AAA'
 */
export function toId18(value: string): string | undefined {
  if (ID15.test(value)) return value + caseSafeSuffix(value);
  if (ID18.test(value) && value.slice(15) === caseSafeSuffix(value.slice(0, 15))) return value;
  return undefined;
}

/** Whether two ids denote the same record: equal once both are in their 18-character form. */
export function sameId(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = toId18(a);
  return x !== undefined && x === toId18(b);
}

/** A Salesforce record id as input: 15 characters, or 18 with the case-safe suffix; normalized to 18. */
export const SalesforceId = z
  .string()
  .regex(SALESFORCE_ID, 'must be a 15 or 18 character Salesforce id')
  .refine((id) => toId18(id) !== undefined, 'has an invalid 18-character checksum')
  .transform((id) => toId18(id)!);

/** A key for maps and sets of ids: the 18-character form, so a 15-character id finds its record and a forged suffix does not. */
export const idKey = (id: string): string => toId18(id) ?? `invalid:${id}`;

/** A SOQL id literal; anything that is not an id is refused rather than quoted. */
export function soqlId(id: string): string {
  if (!SALESFORCE_ID.test(id))
    throw new SalesforceError(`not a Salesforce id: ${JSON.stringify(id).slice(0, 40)}`, 'MALFORMED_ID', 'permanent');
  return `'${id}'`;
}
