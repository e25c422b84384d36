import type { Sql, TransactionSql } from './sql.ts';
import type { Fragment } from './task-queue-state.ts';

const built = new WeakMap<Sql | TransactionSql, Map<string, Fragment>>();

/**
 * The fragment `build` makes, built once per client and `key`. postgres.js allocates every fragment of a statement
 * (each one a Query, a Promise) at every call and renders them all; a statement sent on every poll reuses its fixed
 * parts instead. A fragment is only read when a statement interpolating it is rendered (its strings and values), so
 * one instance serves every statement of its client. Its values are fixed by `key`: a value that varies per call
 * belongs in the statement, not here.
 */
export function reusedFragment(sql: Sql | TransactionSql, key: string, build: () => Fragment): Fragment {
  let fragments = built.get(sql);
  if (!fragments) built.set(sql, (fragments = new Map()));
  let fragment = fragments.get(key);
  if (!fragment) fragments.set(key, (fragment = build()));
  return fragment;
}
