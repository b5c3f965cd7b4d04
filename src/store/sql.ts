/**
 * The register's SQL handle, for modules under `src/store/` alone (the linter refuses an
 * import of this file from anywhere else). Stages hold a `Register`: a sealed token they pass
 * to the store's functions, on which they can run no SQL and open no transaction.
 */
import type Database from 'better-sqlite3';

declare const sealed: unique symbol;

/** The register as a stage sees it (登记簿): handed to store functions, never queried. */
export interface Register {
  readonly [sealed]: 'register';
}

/** The open database behind a register. */
export type Db = Database.Database & Register;

/** The database behind a register, for the store's own functions. */
export function sqlOf(register: Register): Db {
  return register as Db;
}
