import { SalesforceError } from './errors.ts';
import { soqlId } from './ids.ts';

/**
 * SOQL literals: the one place a value becomes part of a query. Strings are escaped as the SOQL and SOSL Reference's
 * "Quoted String Escape Sequences" lists (`\\`, `\'`, and the control characters); ids, dates and datetimes are
 * refused unless they have their exact shape, so nothing else ever reaches the query text.
 *
 * Why helpers and not `composeQuery` from soql-parser-js: composeQuery writes a literal's `value` through as given
 * (it does not escape it), so it would still need this escaping, and every query here is a fixed template with a
 * handful of values; the helpers keep the queries readable where they are used.
 */

const escaped = (value: string) =>
  value.replace(/[\\'\n\r\t\b\f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' })[c] ?? `\\${c}`);

/** A quoted SOQL string literal for `=`, `!=` and `IN`: the value compared as it is. */
export function soqlString(value: string): string {
  return `'${escaped(value)}'`;
}

/**
 * A quoted LIKE pattern that matches `value` literally (its `%` and `_` escaped, which SOQL allows in LIKE only),
 * as the whole text, its start, or anywhere in it.
 */
export function soqlLike(value: string, match: 'exact' | 'prefix' | 'contains' = 'exact'): string {
  const text = escaped(value).replace(/[%_]/g, '\\$&');
  return `'${match === 'contains' ? '%' : ''}${text}${match === 'exact' ? '' : '%'}'`;
}

/** `(id, id, …)` for `IN`: every entry must be a Salesforce id (see soqlId); an empty list is an error, as in SOQL. */
export function soqlIdList(ids: readonly string[]): string {
  if (ids.length === 0) throw new SalesforceError('an IN list needs at least one id', 'MALFORMED_QUERY', 'permanent');
  return `(${ids.map(soqlId).join(', ')})`;
}

/** A SOQL date literal (`YYYY-MM-DD`, unquoted); anything but a date is refused. */
export function soqlDate(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new SalesforceError(`not a date: ${JSON.stringify(date).slice(0, 20)}`, 'MALFORMED_QUERY', 'permanent');
  return date;
}

/** A SOQL datetime literal in UTC to the second (`YYYY-MM-DDThh:mm:ssZ`, unquoted), from an ISO text or epoch ms. */
export function soqlDateTime(at: string | number): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new SalesforceError(`not a datetime: ${JSON.stringify(at).slice(0, 40)}`, 'MALFORMED_QUERY', 'permanent');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
