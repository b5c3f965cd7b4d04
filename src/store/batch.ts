/**
 * Reading many visits at once: a query with `IN (?, ?, …)` over a list of ids, run in chunks
 * small enough for any database's limit on parameters, and its rows grouped by visit. What
 * `validate` and the period report use to read a branch's visits in a few queries instead of
 * a score of queries per visit; the one-visit readers are the same query with one id.
 */
import { sqlOf, type Register, type SqlValue } from './sql.ts';

/** Ids per query: well under SQLite's (32,766) and PostgreSQL's (65,535) limits on parameters. */
const CHUNK = 500;

/**
 * The rows of `sql(marks)` for every id, where `marks` is the `?, ?, …` list to put inside
 * `IN (…)`; `before` are the parameters that come before the list.
 */
export function rowsForIds<R>(
  register: Register,
  ids: readonly string[] | readonly number[],
  sql: (marks: string) => string,
  ...before: SqlValue[]
): R[] {
  const db = sqlOf(register);
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = db.prepare(sql(chunk.map(() => '?').join(', '))).all(...before, ...chunk) as R[];
    for (const r of rows) out.push(r);
  }
  return out;
}

/** Rows grouped by a key, each group in the rows' order; with `as`, each row made into what the group holds. */
export function groupBy<R, K>(rows: readonly R[], key: (r: R) => K): Map<K, R[]>;
export function groupBy<R, K, V>(rows: readonly R[], key: (r: R) => K, as: (r: R) => V): Map<K, V[]>;
export function groupBy<R, K, V>(rows: readonly R[], key: (r: R) => K, as?: (r: R) => V): Map<K, (R | V)[]> {
  const out = new Map<K, (R | V)[]>();
  for (const r of rows) {
    const k = key(r);
    const v = as ? as(r) : r;
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}
