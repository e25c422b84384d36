import type postgres from 'postgres';
import type { Sql, TransactionSql } from './sql.ts';

/**
 * A value as a JSON(B) query parameter: the one place the service's typed values (zod types, interfaces with optional
 * fields) meet postgres.js's JSONValue, which has no index signature for them. Values are plain data (they came from
 * zod parsing or the service's own objects), so JSON serialization is the identity for them.
 */
export function jsonParam(sql: Sql | TransactionSql, value: unknown): postgres.Parameter {
  return sql.json(value as postgres.JSONValue);
}

/**
 * A row for postgres.js's insert helper (`sql(rows)`): every column's value a query parameter (JSON wrapped by
 * jsonParam). Typing the rows so, not casting them at the call, lets the compiler check each value.
 */
export type InsertRow = Record<string, postgres.SerializableParameter>;
