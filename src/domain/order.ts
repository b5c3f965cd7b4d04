/**
 * Order of strings that is the same on every machine: code unit by code unit, as SQLite's
 * BINARY collation and PostgreSQL's "C" compare (unlike `localeCompare`, which follows the
 * machine's locale).
 */

/** Compares two strings code unit by code unit: for `sort`. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
