// Local Salesforce org emulator (not Salesforce): compiles a parsed SOQL WHERE clause into a record predicate.
// soql-parser-js gives a right-leaning chain with parenthesis counts; we turn it back into tokens and parse
// those with the usual precedence (NOT, then AND, then OR).

import type { Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import { ApiError } from '../errors.ts';
import { isLongTextArea, isTextType, type ObjectDef, type StoredRecord } from '../schema.ts';
import type { OrgStore } from '../store.ts';
import { likePattern, typedLiteral, type Literal } from './literals.ts';
import { comparable, readPath, resolvePath, type FieldPath } from './paths.ts';

type Predicate = (record: StoredRecord) => boolean;

export interface WhereContext {
  store: OrgStore;
  today: string;
  /** Runs a semi-join sub-query (`Id IN (SELECT ...)`) and returns the values of its one field. */
  semiJoin: (query: Query) => unknown[];
}

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { condition: Record<string, unknown> };

/** The shape every WhereClause variant shares: a condition (or null before NOT), an operator, the rest. */
export interface WhereChain {
  left?: Record<string, unknown> | null;
  operator?: 'AND' | 'OR' | 'NOT';
  right?: WhereChain;
}

function tokenize(where: WhereClause | undefined): Token[] {
  const tokens: Token[] = [];
  for (let node = where as WhereChain | undefined; node; node = node.right) {
    const { left } = node;
    if (left) {
      tokens.push(...Array<Token>((left.openParen as number) ?? 0).fill('('));
      if ('field' in left || 'fn' in left) tokens.push({ condition: left });
      tokens.push(...Array<Token>((left.closeParen as number) ?? 0).fill(')'));
    }
    if (node.operator) tokens.push(node.operator);
  }
  return tokens;
}

/** A predicate for a WHERE clause (always true when there is none). */
export function compileWhere(object: ObjectDef, where: WhereClause | undefined, ctx: WhereContext): Predicate {
  if (!where) return () => true;
  const tokens = tokenize(where);
  let pos = 0;
  const malformed = () => new ApiError(400, 'MALFORMED_QUERY', 'unexpected token in WHERE clause');
  const parseOr = (): Predicate => {
    let left = parseAnd();
    while (tokens[pos] === 'OR') {
      pos++;
      const [a, b] = [left, parseAnd()];
      left = (r) => a(r) || b(r);
    }
    return left;
  };
  const parseAnd = (): Predicate => {
    let left = parseUnary();
    while (tokens[pos] === 'AND') {
      pos++;
      const [a, b] = [left, parseUnary()];
      left = (r) => a(r) && b(r);
    }
    return left;
  };
  const parseUnary = (): Predicate => {
    const token = tokens[pos++];
    if (token === 'NOT') {
      const inner = parseUnary();
      return (r) => !inner(r);
    }
    if (token === '(') {
      const inner = parseOr();
      if (tokens[pos++] !== ')') throw malformed();
      return inner;
    }
    if (token && typeof token === 'object') return compileCondition(object, token.condition, ctx);
    throw malformed();
  };
  const predicate = parseOr();
  if (pos !== tokens.length) throw malformed();
  return predicate;
}

function compileCondition(object: ObjectDef, condition: Record<string, unknown>, ctx: WhereContext): Predicate {
  if (typeof condition.field !== 'string') {
    throw new ApiError(400, 'NOT_SUPPORTED_BY_ORG_EMULATOR', 'The local Salesforce org emulator does not support functions in WHERE.');
  }
  const path = resolvePath(ctx.store.schema, object, condition.field);
  if (isLongTextArea(path.def)) throw new ApiError(400, 'INVALID_FIELD', `field '${path.field}' can not be filtered in a query call`);
  const operator = String(condition.operator).toUpperCase();
  const read = (r: StoredRecord) => comparable(path.def, readPath(ctx.store, r, path));

  if (condition.valueQuery) {
    const values = new Set(ctx.semiJoin(condition.valueQuery as Query).map((v) => comparable(path.def, v)));
    if (operator === 'IN') return (r) => values.has(read(r));
    if (operator === 'NOT IN') return (r) => !values.has(read(r));
    throw new ApiError(400, 'MALFORMED_QUERY', `Semi-join sub-queries need IN or NOT IN, not ${operator}`);
  }

  const rawValues = [condition.value].flat() as string[];
  const literalTypes = [condition.literalType].flat() as string[];
  // LIKE reads its literal itself: `\%` and `\_` are escapes there and an error anywhere else.
  if (operator === 'LIKE') return like(path, rawValues[0], literalTypes[0], read);
  const ns = [condition.dateLiteralVariable].flat() as (number | undefined)[];
  const literals = rawValues.map((value, i) =>
    typedLiteral(path, { value, literalType: literalTypes[i] ?? literalTypes[0]!, n: ns[i] ?? ns[0] }, ctx.today),
  );
  const [literal] = literals as [Literal];

  switch (operator) {
    case '=':
      return (r) => matches(read(r), literal);
    case '!=':
      return (r) => !matches(read(r), literal);
    case 'IN':
      return (r) => literals.some((l) => matches(read(r), l));
    case 'NOT IN':
      return (r) => !literals.some((l) => matches(read(r), l));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (r) => ordered(read(r), literal, operator);
    default:
      throw new ApiError(
        400,
        'NOT_SUPPORTED_BY_ORG_EMULATOR',
        `The local Salesforce org emulator does not support the ${operator} operator.`,
      );
  }
}

function matches(value: unknown, literal: Literal): boolean {
  if (literal.kind === 'null') return value === null;
  if (value === null) return false;
  if (literal.kind === 'range') return (value as number) >= literal.start && (value as number) < literal.end;
  return value === literal.value;
}

function ordered(value: unknown, literal: Literal, operator: string): boolean {
  if (value === null || literal.kind === 'null') return false;
  if (literal.kind === 'range') {
    const v = value as number;
    if (operator === '<') return v < literal.start;
    if (operator === '<=') return v < literal.end;
    if (operator === '>') return v >= literal.end;
    return v >= literal.start;
  }
  const [a, b] = [value as number | string, literal.value as number | string];
  if (operator === '<') return a < b;
  if (operator === '<=') return a <= b;
  if (operator === '>') return a > b;
  return a >= b;
}

/** SOQL LIKE: `%` any run, `_` one character, `\%` and `\_` themselves, case-insensitive; text fields only. */
function like(path: FieldPath, raw: string | undefined, literalType: string | undefined, read: (r: StoredRecord) => unknown): Predicate {
  if (raw === undefined || literalType !== 'STRING' || !isTextType(path.def.type)) {
    throw new ApiError(400, 'INVALID_FIELD', `LIKE needs a string value for field '${path.field}'`);
  }
  const regex = likePattern(raw);
  return (r) => {
    const value = read(r);
    return typeof value === 'string' && regex.test(value);
  };
}
