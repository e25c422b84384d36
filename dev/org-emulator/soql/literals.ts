// Local Salesforce org emulator (not Salesforce): SOQL literals typed against the field they are compared with.
// Dates and datetimes become ranges [start, end) in epoch ms, so `=`, `<`, `>` work the same for
// `2026-01-01`, `2026-01-01T10:00:00Z`, `TODAY` and `LAST_N_DAYS:30`.

import { ApiError } from '../errors.ts';
import { toId18 } from '../ids.ts';
import { isIdType, isNumberType, isTextType } from '../schema.ts';
import { addDays, DAY_MS, parseDate, parseDateTime } from '../time.ts';
import type { FieldPath } from './paths.ts';

export type Literal = { kind: 'null' } | { kind: 'value'; value: unknown } | { kind: 'range'; start: number; end: number };

interface RawLiteral {
  value: string;
  literalType: string;
  /** The n of `LAST_N_DAYS:n`. */
  n?: number;
}

/**
 * The escape sequences of a SOQL string literal (SOQL and SOSL Reference, "Quoted String Escape Sequences"); `\%` and
 * `\_` are valid in LIKE only, and "if you use a backslash character in any other context, an error occurs".
 */
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

/**
 * Reads the inside of a quoted literal: decoded text pieces, and (in LIKE) the wildcards `%`/`_` apart from the
 * escaped, literal `\%`/`\_`. A backslash before anything the reference does not list is MALFORMED_QUERY.
 */
function scan(text: string, inLike: boolean): { text: string; wildcard?: '%' | '_' }[] {
  const inner = text.startsWith("'") && text.endsWith("'") ? text.slice(1, -1) : text;
  const parts: { text: string; wildcard?: '%' | '_' }[] = [];
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c !== '\\') {
      parts.push(inLike && (c === '%' || c === '_') ? { text: c, wildcard: c } : { text: c });
      continue;
    }
    const next = inner[i + 1] ?? '';
    const hex = /^u[0-9a-fA-F]{4}$/i.test(inner.slice(i + 1, i + 6)) ? inner.slice(i + 2, i + 6) : undefined;
    if (hex !== undefined) {
      parts.push({ text: String.fromCharCode(parseInt(hex, 16)) });
      i += 5;
    } else if (ESCAPES[next.toLowerCase()] !== undefined) {
      parts.push({ text: ESCAPES[next.toLowerCase()]! });
      i += 1;
    } else if (inLike && (next === '%' || next === '_')) {
      parts.push({ text: next });
      i += 1;
    } else {
      throw new ApiError(
        400,
        'MALFORMED_QUERY',
        `Invalid string literal '${inner}'. Illegal character sequence '\\${next}' in string literal.`,
      );
    }
  }
  return parts;
}

/** Removes the quotes of a SOQL string literal and undoes its backslash escapes (refusing the ones SOQL does not have). */
export function unquote(text: string): string {
  return scan(text, false)
    .map((p) => p.text)
    .join('');
}

/** A LIKE pattern as a case-insensitive whole-value regex: `%` any run, `_` one character, `\%`/`\_` themselves. */
export function likePattern(text: string): RegExp {
  const source = scan(text, true)
    .map((p) => (p.wildcard === '%' ? '.*' : p.wildcard === '_' ? '.' : p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is');
}

function typeMismatch(path: FieldPath, expected: string, quoted: boolean): ApiError {
  return new ApiError(
    400,
    'INVALID_FIELD',
    `value of filter criterion for field '${path.field}' must be of type ${expected} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
  );
}

const typeWord = (path: FieldPath) =>
  isTextType(path.def.type) || isIdType(path.def.type) ? 'string' : path.def.type === 'int' ? 'integer' : path.def.type;

/** Types one literal for a field, rejecting the combinations Salesforce rejects. */
export function typedLiteral(path: FieldPath, raw: RawLiteral, today: string): Literal {
  const { type } = path.def;
  const isText = isTextType(type) || isIdType(type);
  const isDateLike = type === 'date' || type === 'datetime';
  const mismatch = () => typeMismatch(path, typeWord(path), isText);
  switch (raw.literalType) {
    case 'NULL':
      return { kind: 'null' };
    case 'STRING': {
      if (!isText) throw mismatch();
      const value = unquote(raw.value);
      if (isIdType(type)) {
        const id = toId18(value);
        if (!id) throw new ApiError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${value}`);
        return { kind: 'value', value: id.slice(0, 15) };
      }
      return { kind: 'value', value: value.toLowerCase() };
    }
    case 'BOOLEAN':
      if (type !== 'boolean') throw mismatch();
      return { kind: 'value', value: raw.value.toUpperCase() === 'TRUE' };
    case 'INTEGER':
    case 'DECIMAL':
      if (!isNumberType(type)) throw mismatch();
      return { kind: 'value', value: Number(raw.value) };
    case 'DATE': {
      if (type !== 'date') throw mismatch();
      const start = parseDate(raw.value);
      if (start === undefined) throw new ApiError(400, 'MALFORMED_QUERY', `line 1: invalid date: ${raw.value}`);
      return { kind: 'range', start, end: start + DAY_MS };
    }
    case 'DATETIME': {
      if (type !== 'datetime') throw mismatch();
      const start = parseDateTime(raw.value);
      if (start === undefined) throw new ApiError(400, 'MALFORMED_QUERY', `line 1: invalid datetime: ${raw.value}`);
      return { kind: 'range', start, end: start + 1 };
    }
    case 'DATE_LITERAL':
    case 'DATE_N_LITERAL': {
      if (!isDateLike) throw mismatch();
      const [start, end] = dateLiteralRange(raw.value.split(':')[0]!.toUpperCase(), raw.n ?? 0, today);
      return { kind: 'range', start: parseDate(start)!, end: parseDate(end)! };
    }
    default:
      throw new ApiError(
        400,
        'NOT_SUPPORTED_BY_ORG_EMULATOR',
        `The local Salesforce org emulator does not support ${raw.literalType} literals (${raw.value}).`,
      );
  }
}

/** First day and the day after the last day of a date literal, both `YYYY-MM-DD`. */
function dateLiteralRange(name: string, n: number, today: string): [string, string] {
  const day = (offset: number) => addDays(today, offset);
  const [y, m] = today.split('-').map(Number) as [number, number];
  const monthStart = (offset: number) => new Date(Date.UTC(y, m - 1 + offset, 1)).toISOString().slice(0, 10);
  const yearStart = (offset: number) => `${y + offset}-01-01`;
  const weekStart = (offset: number) => day(-new Date(parseDate(today)!).getUTCDay() + 7 * offset); // weeks start on Sunday
  switch (name) {
    case 'TODAY':
      return [today, day(1)];
    case 'YESTERDAY':
      return [day(-1), today];
    case 'TOMORROW':
      return [day(1), day(2)];
    case 'LAST_N_DAYS':
      return [day(-n), day(1)]; // today and the n days before it
    case 'NEXT_N_DAYS':
      return [day(1), day(n + 1)]; // the n days after today
    case 'N_DAYS_AGO':
      return [day(-n), day(-n + 1)];
    case 'LAST_90_DAYS':
      return [day(-90), day(1)];
    case 'NEXT_90_DAYS':
      return [day(1), day(91)];
    case 'THIS_WEEK':
      return [weekStart(0), weekStart(1)];
    case 'LAST_WEEK':
      return [weekStart(-1), weekStart(0)];
    case 'NEXT_WEEK':
      return [weekStart(1), weekStart(2)];
    case 'THIS_MONTH':
      return [monthStart(0), monthStart(1)];
    case 'LAST_MONTH':
      return [monthStart(-1), monthStart(0)];
    case 'NEXT_MONTH':
      return [monthStart(1), monthStart(2)];
    case 'THIS_YEAR':
      return [yearStart(0), yearStart(1)];
    case 'LAST_YEAR':
      return [yearStart(-1), yearStart(0)];
    case 'NEXT_YEAR':
      return [yearStart(1), yearStart(2)];
    default:
      throw new ApiError(
        400,
        'NOT_SUPPORTED_BY_ORG_EMULATOR',
        `The local Salesforce org emulator does not support the date literal ${name}.`,
      );
  }
}
